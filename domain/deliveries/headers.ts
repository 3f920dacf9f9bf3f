/**
 * Content headers that carry a channel's data from the flow that writes a message to the sender that
 * delivers it (MessageContent has one `headers` map for every channel).
 */

/** The link an in-app notification opens (the activity flow sets it; the in-app sender shows it as `url`). */
export const INAPP_URL_HEADER = 'x-inapp-url';
