/**
 * A fan-out page's bulk commands travel as page records (deliveries.bulk-pages): one Kafka record for a
 * page's commands instead of one per recipient. Each record carries the fields a page's commands share once
 * (source, channel, priority, promo, send window, times), each distinct content once, and per delivery what
 * differs (ids, address, device tokens, fallback, time zone, and which content). The bulk senders read a
 * page back as the commands it stands for, so they claim, send and record exactly what they did when each
 * command travelled alone.
 *
 * Why: per recipient the fan-out framed, partitioned and Avro-encoded a whole command (kafkajs's per-record
 * work was 16% of its profile), and a mailing without personal fields carried the same text a million
 * times (issue 15: "compact commands").
 *
 * Only new commands (attempt 0) go in a page: a retry, a deferral or a fallback is one command on its own
 * topic, as before.
 */
import { TOPICS } from '../../platform/topics';
import type { TopicBatch } from '../../platform/kafka';
import { VestnikError } from '../../platform/errors';
import type { DeliveryCommand, DeliveryCommandPage, MessageContent, Priority } from '../../schemas/types';

/** How large a page may grow before the next command starts another. */
export interface PageLimits {
  /** Commands per page. */
  entries: number;
  /**
   * Characters of the page's text (its distinct contents and each entry's ids and address). A character is
   * at most 3 bytes of UTF-8, so 250,000 keep a record under 750 KiB, below Kafka's 1 MiB default limit.
   */
  chars: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = { entries: 1000, chars: 250_000 };

/** Characters an entry adds besides its content: its ids, address, tokens and fallback. */
function entryChars(command: Pick<DeliveryCommand, 'deliveryId' | 'clientId' | 'address' | 'timezone' | 'deviceTokens' | 'fallback'>): number {
  let chars = command.deliveryId.length + command.clientId.length + command.address.length + command.timezone.length;
  for (const token of command.deviceTokens) chars += token.length;
  if (command.fallback) chars += command.fallback.address.length;
  return chars;
}

function contentChars(content: MessageContent): number {
  let chars = content.text.length + (content.subject?.length ?? 0) + (content.html?.length ?? 0) + (content.title?.length ?? 0);
  for (const [name, value] of Object.entries(content.headers)) chars += name.length + value.length;
  return chars;
}

function sameContent(a: MessageContent, b: MessageContent): boolean {
  if (a === b) return true;
  if (a.text !== b.text || a.subject !== b.subject || a.html !== b.html || a.title !== b.title) return false;
  const names = Object.keys(a.headers);
  return names.length === Object.keys(b.headers).length && names.every((name) => a.headers[name] === b.headers[name]);
}

/** The fields a page's commands share, as one key. */
function sharedKey(command: DeliveryCommand): string {
  const window = command.sendWindow ? `${command.sendWindow.from}-${command.sendWindow.to}` : '';
  return [command.sourceType, command.sourceId, command.channel, command.priority, command.promo, window,
    command.notBefore, command.expiresAt, command.createdAt].join('\u0000');
}

interface OpenPage {
  page: DeliveryCommandPage;
  chars: number;
}

/**
 * The commands as page records: those that share source, channel, priority, promo, window and times go in
 * one record, in their order, until a page reaches `limits`. A content equal to the page's last one is
 * carried once (a mailing without personal fields has one content per page). A command of a later attempt
 * is a programming error here.
 */
export function commandPagesOf(commands: readonly DeliveryCommand[], limits: PageLimits = DEFAULT_PAGE_LIMITS): DeliveryCommandPage[] {
  const pages: DeliveryCommandPage[] = [];
  const open = new Map<string, OpenPage>();
  for (const command of commands) {
    if (command.attempt !== 0) {
      throw new Error(`command ${command.deliveryId} is attempt ${command.attempt}; only new commands go in a page`);
    }
    const key = sharedKey(command);
    let current = open.get(key);
    const last = current?.page.contents[current.page.contents.length - 1];
    const newContent = !last || !sameContent(last, command.content);
    const entry = entryChars(command);
    const content = contentChars(command.content);
    if (!current || current.page.entries.length >= limits.entries || current.chars + entry + (newContent ? content : 0) > limits.chars) {
      current = { page: emptyPage(command), chars: 0 };
      open.set(key, current);
      pages.push(current.page);
    }
    const { page } = current;
    // A new page has no content yet: its first command's always goes in.
    const reuse = page.contents.length > 0 && !newContent;
    if (!reuse) page.contents.push(command.content);
    current.chars += entry + (reuse ? 0 : content);
    page.entries.push({
      deliveryId: command.deliveryId, clientId: command.clientId, address: command.address, deviceTokens: command.deviceTokens,
      content: page.contents.length - 1, fallback: command.fallback, timezone: command.timezone,
    });
  }
  return pages;
}

function emptyPage(command: DeliveryCommand): DeliveryCommandPage {
  return {
    sourceType: command.sourceType, sourceId: command.sourceId, channel: command.channel, priority: command.priority,
    promo: command.promo, sendWindow: command.sendWindow, notBefore: command.notBefore, expiresAt: command.expiresAt,
    createdAt: command.createdAt, contents: [], entries: [],
  };
}

/** The most bytes a page's record can take: 3 of UTF-8 per character, and some per entry for Avro's lengths and markers. */
export function pageBytesAtMost(page: DeliveryCommandPage): number {
  let chars = page.sourceId.length;
  for (const content of page.contents) chars += contentChars(content);
  for (const entry of page.entries) chars += entryChars(entry);
  return 3 * chars + 40 * (page.entries.length + page.contents.length) + 200;
}

/**
 * The most page bytes one produce request carries. Kafka refuses a partition's batch over 1 MiB
 * (`message.max.bytes`), a request's records are batched per partition, and every page of a request may land
 * on the same one.
 */
export const MAX_PAGE_BYTES_PER_REQUEST = 900 * 1024;

/**
 * A fan-out page's new commands as the batches of its produce requests, one per request, in order (none when
 * there are no commands). Bulk ones go as page records, keyed by their first recipient so that pages spread
 * over partitions, as many to a request as stay under MAX_PAGE_BYTES_PER_REQUEST: one request unless the
 * contents are large. Express ones go one record each on deliveries.express, in one request, as before: the
 * express lane reads no page topic, since a page would only hold its first message back until the page is
 * built, and an express audience is small.
 */
export function fanoutCommandRequests(commands: readonly DeliveryCommand[], priority: Priority, limits?: PageLimits): TopicBatch[] {
  if (commands.length === 0) return [];
  if (priority !== 'bulk') {
    return [{ topic: TOPICS.deliveriesExpress, schema: 'deliveries.command', records: commands.map((command) => ({ key: command.clientId, value: command })) }];
  }
  const requests: DeliveryCommandPage[][] = [];
  let bytes = 0;
  for (const page of commandPagesOf(commands, limits)) {
    const size = pageBytesAtMost(page);
    if (requests.length === 0 || bytes + size > MAX_PAGE_BYTES_PER_REQUEST) {
      requests.push([]);
      bytes = 0;
    }
    requests[requests.length - 1]!.push(page);
    bytes += size;
  }
  return requests.map((pages) => ({ topic: TOPICS.deliveriesBulkPages, records: pages.map((value) => ({ key: value.entries[0]!.clientId, value })) }));
}

/**
 * The commands a page record stands for, in its order. Commands of one content share its object: nothing
 * downstream changes a command's content. An entry naming a content the page lacks makes the page unreadable
 * (VALIDATION_FAILED, which dead-letters it).
 */
export function commandsOfPage(page: DeliveryCommandPage): DeliveryCommand[] {
  return page.entries.map((entry) => {
    const content = page.contents[entry.content];
    if (!content) {
      throw new VestnikError('VALIDATION_FAILED', `command page of ${page.sourceType} ${page.sourceId} is invalid: entry ${entry.deliveryId} names content ${entry.content} of ${page.contents.length}`);
    }
    return {
      deliveryId: entry.deliveryId, sourceType: page.sourceType, sourceId: page.sourceId, clientId: entry.clientId,
      channel: page.channel, priority: page.priority, address: entry.address, deviceTokens: entry.deviceTokens, content,
      fallback: entry.fallback, promo: page.promo, timezone: entry.timezone, sendWindow: page.sendWindow,
      notBefore: page.notBefore, expiresAt: page.expiresAt, attempt: 0, createdAt: page.createdAt,
    };
  });
}
