/**
 * A configured provider's request for one command (platform/http/provider-spec.ts): its path, headers and
 * body are Handlebars templates over the command's fields, compiled once when the senders start.
 *
 * Templates are strict (a field that does not exist fails, at start, on a sample command) and not
 * HTML-escaped; `{{json text}}` writes a JSON literal and `{{url address}}` a URL-encoded one, so a body or a
 * path stays well-formed whatever a message holds.
 */
import Handlebars from 'handlebars';
import type { HttpProviderSpec } from '../../platform/http/provider-spec';
import type { DeliveryCommand } from '../../schemas/types';
import type { ProviderRequest } from '../policy/provider-http';

/** What a template can name. */
export interface RequestFields {
  deliveryId: string;
  clientId: string;
  sourceType: string;
  sourceId: string;
  channel: string;
  priority: string;
  address: string;
  deviceTokens: string[];
  text: string;
  subject: string | null;
  title: string | null;
  html: string | null;
  promo: boolean;
  attempt: number;
}

export function fieldsOf(command: DeliveryCommand): RequestFields {
  const { deliveryId, clientId, sourceType, sourceId, channel, priority, address, deviceTokens, promo, attempt } = command;
  const { text, subject, title, html } = command.content;
  return { deliveryId, clientId, sourceType, sourceId, channel, priority, address, deviceTokens, text, subject, title, html, promo, attempt };
}

const handlebars = Handlebars.create();
/** Strict mode does not check a helper's argument: a field that does not exist arrives as undefined. */
const known = (helper: string, value: unknown) => {
  if (value === undefined) throw new Error(`"${helper}" of a field that does not exist`);
  return value;
};
handlebars.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(known('json', value))));
handlebars.registerHelper('url', (value: unknown) => new Handlebars.SafeString(encodeURIComponent(String(known('url', value) ?? ''))));

const SAMPLE: RequestFields = {
  deliveryId: 'sample', clientId: 'sample', sourceType: 'notification', sourceId: 'sample', channel: 'sms', priority: 'bulk',
  address: 'sample', deviceTokens: [], text: 'sample', subject: null, title: null, html: null, promo: false, attempt: 0,
};

/** A string that is one field and nothing else: it takes the field's value, whatever its type. */
const WHOLE_FIELD = /^\{\{\s*([A-Za-z]+)\s*\}\}$/;

/** A JSON body: every string a template (or a whole field's value), rendered, then written as JSON. */
function compileJsonBody(shape: unknown, compile: (source: string) => (fields: RequestFields) => string): (fields: RequestFields) => string {
  const walk = (node: unknown): (fields: RequestFields) => unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE_FIELD.exec(node)?.[1];
      if (whole !== undefined) {
        if (!(whole in SAMPLE)) return compile(node); // strict: fails at start naming the field
        return (fields) => fields[whole as keyof RequestFields];
      }
      return compile(node);
    }
    if (Array.isArray(node)) {
      const items = node.map(walk);
      return (fields) => items.map((item) => item(fields));
    }
    if (typeof node === 'object' && node !== null) {
      const entries = Object.entries(node).map(([key, value]) => [key, walk(value)] as const);
      return (fields) => Object.fromEntries(entries.map(([key, value]) => [key, value(fields)]));
    }
    return () => node; // numbers, booleans, null: as written
  };
  const render = walk(shape);
  return (fields) => JSON.stringify(render(fields));
}

/** Compiles the spec's templates; throws (naming the provider and the template) when one does not render. */
export function compileRequest(spec: HttpProviderSpec, pathPrefix: string): (command: DeliveryCommand) => ProviderRequest {
  const compile = (what: string, source: string) => {
    const template = handlebars.compile(source, { strict: true, noEscape: true });
    try {
      template(SAMPLE);
    } catch (error) {
      throw new Error(`HTTP provider ${spec.name}: its ${what} template does not render: ${(error as Error).message}`, { cause: error });
    }
    return template;
  };
  const path = compile('path', spec.path);
  const body = typeof spec.body === 'string' ? compile('body', spec.body) : compileJsonBody(spec.body, (source) => compile('body', source));
  const headers = Object.entries(spec.headers).map(([name, value]) => [name.toLowerCase(), compile(`${name} header`, value)] as const);
  return (command) => {
    const fields = fieldsOf(command);
    const rendered = path(fields);
    return {
      method: spec.method,
      path: `${pathPrefix}${rendered.startsWith('/') ? '' : '/'}${rendered}`,
      headers: Object.fromEntries(headers.map(([name, template]) => [name, template(fields)])),
      body: body(fields),
    };
  };
}
