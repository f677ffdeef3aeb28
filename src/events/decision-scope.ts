import { AsyncLocalStorage } from 'node:async_hooks';

/** What the decisions made inside a unit of manual work are, for the automation log. */
export interface DecisionScope {
  /** A preview (dry run): its transaction is rolled back, nothing it decides is real. */
  readonly dryRun: boolean;
  /** Incidents emptied by a regrouping: an event that opens one of them re-forms it. */
  readonly reforming?: ReadonlySet<number>;
}

// The scope follows the asynchronous work, not the transaction: a group commit can hold the
// decisions of several callers in one transaction, and only the caller's own are in its scope.
const scopes = new AsyncLocalStorage<DecisionScope>();

/** Runs `work` with its decisions in `scope`. */
export function withinDecisionScope<T>(scope: DecisionScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

/** The scope of the decision being made; none for live alerts and plain manual runs. */
export function currentDecisionScope(): DecisionScope | undefined {
  return scopes.getStore();
}

/** `work` as a preview: the decisions it makes are logged as a dry run's. */
export function previewing<A extends unknown[], T>(
  work: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  return (...args) => withinDecisionScope({ dryRun: true }, () => work(...args));
}
