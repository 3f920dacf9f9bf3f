/**
 * Context providers: a template that names a kind (`contextProvider: "monthly-digest"`) is rendered with
 * each recipient's context from the user-data service, gathered once per page of recipients.
 */
export { createUserDataClient } from './client';
export type { ContextSource, UserDataClientOptions } from './client';
export { readContextsAnswer, transportFailure } from './classify';
export type { ContextsByUser } from './classify';
export { MAX_USER_IDS_PER_REQUEST, gatherContexts, pageContexts } from './gather';
export { NO_CONTEXT_REASON, NO_PROVIDED_CONTEXT, contextKeyOf, recipientContextOf } from './merge';
export type { RecipientContexts } from './merge';
