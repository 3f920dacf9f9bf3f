import type { Template, TemplateVariant } from '../../schemas/types';

/** The id under which an admin-stored template (POST /api/templates with this id) overrides the built-in texts. */
export const ACTIVITY_TEMPLATE_ID = 'user-activity';

/** Activity kinds with their own wording; any other kind gets the generic one. */
export const ACTIVITY_KINDS = ['like', 'comment', 'follow'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number] | 'generic';

const objectOr = (fallback: string, quote = (s: string) => s) => `{{#if objectTitle}}${quote('{{objectTitle}}')}{{else}}${fallback}{{/if}}`;
const guillemets = (s: string) => `«${s}»`;

/** An in-app variant: `push.title` is the in-app title (decide.ts), `inapp` the text. */
const variant = (title: string, text: string): TemplateVariant => ({ email: null, sms: null, push: { title, body: text }, inapp: text });

const builtin = (kind: ActivityKind, en: TemplateVariant, ru: TemplateVariant): Template => ({
  id: `builtin:user-activity:${kind}`, name: `In-app notification: ${kind}`, defaultLocale: 'en', contextProvider: null, updatedAt: 0,
  variants: { en, ru },
});

/**
 * The built-in in-app texts, per kind and locale. Built in (like the welcome email) so activity
 * notifications work before any admin created a template. Context: `{ actorName, actorId, kind,
 * objectId, objectTitle, url, name }` (`name` is the recipient's); objectTitle may be null.
 */
export const ACTIVITY_TEMPLATES: Record<ActivityKind, Template> = {
  like: builtin('like',
    variant('New like', `{{actorName}} liked your ${objectOr('post')}`),
    variant('Новая оценка', `{{actorName}} оценил(а) ${objectOr('вашу публикацию', guillemets)}`)),
  comment: builtin('comment',
    variant('New comment', `{{actorName}} commented on your ${objectOr('post')}`),
    variant('Новый комментарий', `{{actorName}} прокомментировал(а) ${objectOr('вашу публикацию', guillemets)}`)),
  follow: builtin('follow',
    variant('New follower', '{{actorName}} started following you'),
    variant('Новый подписчик', '{{actorName}} подписался(-ась) на вас')),
  generic: builtin('generic',
    variant('New activity', `{{actorName}} ({{kind}}) on your ${objectOr('content')}`),
    variant('Новое событие', `{{actorName}} ({{kind}}): ${objectOr('ваша публикация', guillemets)}`)),
};

/** The built-in template of a kind (case-insensitive), the generic one for an unknown kind. */
export function builtinActivityTemplate(kind: string): Template {
  const known = (ACTIVITY_KINDS as readonly string[]).includes(kind.toLowerCase());
  return ACTIVITY_TEMPLATES[known ? (kind.toLowerCase() as ActivityKind) : 'generic'];
}
