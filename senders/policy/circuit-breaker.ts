import {
  CircuitState,
  ConsecutiveBreaker,
  IBreaker,
  circuitBreaker,
  handleAll,
  isBrokenCircuitError,
  isIsolatedCircuitError,
} from 'cockatiel';
import { Logger, silentLogger } from '../../platform/logger';
import { SendResult, retriable } from './send-result';

/**
 * One breaker per provider and process. While a provider keeps failing, calls stop reaching it: the
 * guarded deliver answers a retriable CIRCUIT_OPEN at once, so the consumer schedules a retry instead
 * of holding connections and partitions on a dead endpoint. After `halfOpenAfterMs` one call probes
 * the provider; its success closes the circuit, its failure opens it again. Built on cockatiel.
 */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface CircuitBreakerOptions {
  /** The provider's name, for logs and the CIRCUIT_OPEN reason. */
  name: string;
  /** How long the circuit stays open before a probe is let through. */
  halfOpenAfterMs: number;
  /** Consecutive failures that open the circuit (default 5); ignored when `breaker` is given. */
  consecutiveFailures?: number;
  /** Any cockatiel breaker, e.g. a SamplingBreaker for failure-rate based opening. */
  breaker?: IBreaker;
  /**
   * Which results count as a provider failure; by default every retriable one (permanent = provider is up)
   * except an answer that says when to come back (Retry-After): that provider is up and pacing us, which the
   * adaptive concurrency limit and the retry's wait answer; opening the circuit on it would stop everything.
   */
  isFailure?: (result: SendResult) => boolean;
  logger?: Logger;
}

export interface ProviderCircuitBreaker {
  /** Wraps a deliver function; the wrapper never calls it while the circuit is open. */
  guard<C>(deliver: (command: C) => Promise<SendResult>): (command: C) => Promise<SendResult>;
  state(): BreakerState;
  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const isRetriableResult = (result: SendResult): boolean => result.kind === 'retriable' && result.retryAfterMs === undefined;

/** A circuit breaker for one provider (see the module comment). */
export function createCircuitBreaker(options: CircuitBreakerOptions): ProviderCircuitBreaker {
  const isFailure = options.isFailure ?? isRetriableResult;
  const policy = circuitBreaker(
    handleAll.orWhenResult((result) => isFailure(result as SendResult)),
    {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: options.breaker ?? new ConsecutiveBreaker(options.consecutiveFailures ?? 5),
    },
  );
  const log = (options.logger ?? silentLogger).child({ module: 'circuit-breaker', provider: options.name });
  policy.onStateChange((state) => log.info({ state: STATE_NAMES[state] }, 'circuit state changed'));
  const openResult = retriable('CIRCUIT_OPEN', `${options.name} circuit is open`);

  return {
    guard<C>(deliver: (command: C) => Promise<SendResult>) {
      return async (command: C): Promise<SendResult> => {
        try {
          return await policy.execute(() => deliver(command));
        } catch (error) {
          if (isBrokenCircuitError(error) || isIsolatedCircuitError(error)) return openResult;
          throw error;
        }
      };
    },
    state: () => STATE_NAMES[policy.state],
    onStateChange(listener) {
      const subscription = policy.onStateChange((state) => listener(STATE_NAMES[state]));
      return () => subscription.dispose();
    },
  };
}
