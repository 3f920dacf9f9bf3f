import { createCodec } from '../../platform/codec';
import { TOPICS } from '../../platform/topics';
import { commandsOfPage } from '../../domain/deliveries/command-page';
import type { DeliveryCommand, DeliveryCommandPage } from '../../schemas/types';
import type { KafkaTestContext, RawRecord } from './kafka';
import type { TestStack } from './stack';

const codec = createCodec();

/** A command a fan-out wrote in a page record (deliveries.bulk-pages), with that record's headers. */
export interface PagedCommand {
  command: DeliveryCommand;
  headers: RawRecord['headers'];
}

/** Every command on a stack's deliveries.bulk-pages, read back from its page records. */
export async function pagedCommands(kt: KafkaTestContext, stack: TestStack): Promise<PagedCommand[]> {
  const records = await kt.readAll(stack.topic(TOPICS.deliveriesBulkPages));
  const read: PagedCommand[] = [];
  for (const record of records) {
    if (!record.value) continue;
    const page = await codec.decode('deliveries.command-page', record.value) as DeliveryCommandPage;
    for (const command of commandsOfPage(page)) read.push({ command, headers: record.headers });
  }
  return read;
}
