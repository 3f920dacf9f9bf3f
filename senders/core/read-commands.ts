/**
 * The commands a sender's batch of records stands for. A record of deliveries.express, .bulk or .retry is one
 * command; a record of deliveries.bulk-pages is a fan-out page of them (domain/deliveries/command-page.ts).
 * What a sender cannot act on is dead-lettered with its reason, and the rest of the batch goes on:
 * - a command with a bad field (validate-command.ts): its record;
 * - a page naming a content it lacks: the whole page, none of whose commands can be trusted;
 * - a page with some bad commands: the page, with the reason naming each of them, while its good commands
 *   are sent. A replay of that dead letter finds those claimed (`done:`) and sends none of them again.
 */
import type { DecodedRecord } from '../../platform/kafka';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import { VestnikError } from '../../platform/errors';
import { commandsOfPage } from '../../domain/deliveries/command-page';
import type { DeliveryCommand, DeliveryCommandPage } from '../../schemas/types';
import type { RecordCommands } from './command-traces';
import { commandProblems } from './validate-command';

/** A record of a sender's topics: one command, or a page of them. */
export type CommandRecord = DecodedRecord<DeliveryCommand | DeliveryCommandPage>;

/** The good commands of each record, with the record's headers (for its trace). */
export function readCommands(
  records: readonly CommandRecord[],
  isPageTopic: boolean,
  deadLetter: (record: CommandRecord, error: VestnikError) => void,
): RecordCommands[] {
  const read: RecordCommands[] = [];
  for (const record of records) {
    if (!record.value) continue;
    if (!isPageTopic) {
      const command = record.value as DeliveryCommand;
      const problems = commandProblems(command);
      if (problems.length === 0) read.push({ headers: record.headers, commands: [command] });
      else deadLetter(record, invalidRecord(`delivery command ${command.deliveryId}`, problems));
      continue;
    }
    const page = record.value as DeliveryCommandPage;
    let commands: DeliveryCommand[];
    try {
      commands = commandsOfPage(page);
    } catch (error) {
      if (!(error instanceof VestnikError)) throw error;
      deadLetter(record, error);
      continue;
    }
    const problems: string[] = [];
    const good = commands.filter((command) => {
      const found = commandProblems(command);
      problems.push(...found.map((problem) => `${command.deliveryId}: ${problem}`));
      return found.length === 0;
    });
    if (problems.length > 0) deadLetter(record, invalidRecord(`command page of ${page.sourceType} ${page.sourceId}`, problems));
    read.push({ headers: record.headers, commands: good });
  }
  return read;
}
