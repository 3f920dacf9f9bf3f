import { processorsFor, senderLanesFor } from './lane-selection';

const TOPICS = { express: ['deliveries.express'], bulk: ['deliveries.bulk', 'deliveries.retry'] } as const;

describe('processorsFor', () => {
  it('runs everything for both lanes', () => {
    expect(processorsFor(['express', 'bulk'])).toEqual({ fanoutLanes: ['express', 'bulk'], welcome: true, activity: true, episodes: true });
  });

  it('an express process runs the express fan-outs, welcome and activity, not the episode fan-out', () => {
    expect(processorsFor(['express'])).toEqual({ fanoutLanes: ['express'], welcome: true, activity: true, episodes: false });
  });

  it('a bulk process runs the bulk fan-outs and the episode fan-out only', () => {
    expect(processorsFor(['bulk'])).toEqual({ fanoutLanes: ['bulk'], welcome: false, activity: false, episodes: true });
  });
});

describe('senderLanesFor', () => {
  it('gives each selected lane its topics, retries with bulk', () => {
    expect(senderLanesFor(['express', 'bulk'], TOPICS)).toEqual([
      { lane: 'express', topics: ['deliveries.express'] },
      { lane: 'bulk', topics: ['deliveries.bulk', 'deliveries.retry'] },
    ]);
    expect(senderLanesFor(['bulk'], TOPICS)).toEqual([{ lane: 'bulk', topics: ['deliveries.bulk', 'deliveries.retry'] }]);
    expect(senderLanesFor(['express'], TOPICS)).toEqual([{ lane: 'express', topics: ['deliveries.express'] }]);
  });
});
