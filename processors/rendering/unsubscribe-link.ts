/**
 * The unsubscribe parts of a promo email (RFC 2369 List-Unsubscribe, RFC 8058 one-click): pure, so the
 * fan-out decisions stay pure and both fan-outs add them the same way.
 */
import Handlebars from 'handlebars';
import type { MessageContent } from '../../schemas/types';

/** The body a mail client POSTs to the List-Unsubscribe URL for a one-click unsubscribe (RFC 8058). */
export const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';

/** The headers that let mail clients show their own "Unsubscribe" button. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': ONE_CLICK_BODY };
}

/**
 * A promo email's content with the unsubscribe headers, and a short footer with the link in the text
 * and HTML parts whose template did not place `{{unsubscribeUrl}}` itself (seen in the rendered part).
 */
export function withUnsubscribeLink(content: MessageContent, url: string): MessageContent {
  // The form `{{unsubscribeUrl}}` takes in an HTML part (Handlebars escapes = & and quotes).
  const escaped = Handlebars.Utils.escapeExpression(url);
  const text = content.text.includes(url) ? content.text : `${content.text}\n\n--\nUnsubscribe from promotional messages: ${url}\n`;
  let html = content.html;
  if (html !== null && !html.includes(url) && !html.includes(escaped)) {
    const footer = `<p style="font-size:12px;color:#666">Unsubscribe from promotional messages: <a href="${escaped}">${escaped}</a></p>`;
    const bodyEnd = html.search(/<\/body>/i);
    html = bodyEnd >= 0 ? `${html.slice(0, bodyEnd)}${footer}${html.slice(bodyEnd)}` : `${html}${footer}`;
  }
  return { ...content, text, html, headers: { ...content.headers, ...unsubscribeHeaders(url) } };
}
