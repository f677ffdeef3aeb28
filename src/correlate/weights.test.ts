import { describe, expect, it } from 'vitest';

import * as weights from './weights.js';

describe('correlation weights', () => {
  it('holds the tuning of both rules in one module', () => {
    expect(weights).toMatchObject({
      WEIGHTS: { serviceOverlap: 0.8, dependency: 0.6, infrastructure: 0.4, severityBonus: 0.1 },
      DEPENDENCY_STRENGTH: { sameService: 1.0, dependent: 0.8, commonUpstream: 0.5 },
      TIME_DECAY_MINUTES: 90,
      TIME_FACTOR_FLOOR: 0.5,
      FULL_CAUSE_SHARE: 0.5,
      SHOWN_FAILING_MIN: 2,
      CANDIDATE_SPECIFICITY: 0.2,
      CANDIDATE_CAUSES: 4,
    });
  });
});
