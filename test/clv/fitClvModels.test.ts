import { describe, expect, it } from 'vitest';
import { fitClvModels, fitPurchaseModel, fitSpendModel, MIN_REPEAT_CUSTOMERS, scoreCustomers, spendBasisOf } from '../../functions/clv/fitClvModels.ts';
import { holdoutModelAccuracy } from './holdoutCheck.ts';
import { populationMeanSpend } from '../../functions/clv/gammaGamma.ts';
import { scoreTuples } from '../../functions/clv/predictiveClv.ts';
import { simulateCustomers } from '../../functions/clv/simulate.ts';
import { cdnowCustomersWithSpend } from './cdnowData.ts';

describe('fitClvModels on CDNOW (weeks)', () => {
  // Prepare
  const customers = cdnowCustomersWithSpend();

  // Act
  const outcome = fitClvModels(customers);

  it('fits both models to the published estimates', () => {
    // Assess
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { purchase, gammaGamma } = outcome.value;
    const bgnbd = purchase.summary.parameters;
    expect(purchase.name).toBe('bgnbd');
    const published = [0.243, 4.414, 0.793, 2.426, 6.25, 3.74, 15.44];
    const fitted = [bgnbd.r!, bgnbd.alpha!, bgnbd.a!, bgnbd.b!, gammaGamma.p, gammaGamma.q, gammaGamma.gamma];
    fitted.forEach((v, i) => expect(Math.abs(v - published[i]!)).toBeLessThan(0.01));
    expect(gammaGamma.customers).toBe(946);
  });

  it('scores every customer as the library does', () => {
    // Prepare
    if (!outcome.ok) throw new Error('no fit');
    const options = { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01 };

    // Act
    const scores = scoreCustomers(outcome.value, customers, options);

    // Assess
    const direct = scoreTuples(customers, outcome.value.purchase.model, outcome.value.gammaGamma, options);
    expect(scores.clv).toEqual(direct.clv);
    expect(scores.clv).toHaveLength(2357);
  });
});

describe('fitClvModels when the data cannot carry the model', () => {
  it('reports no repeat customers as a flag, not an exception', () => {
    // Act
    const outcome = fitClvModels([
      { x: 0, tx: 0, T: 10 },
      { x: 0, tx: 0, T: 3 },
    ]);

    // Assess
    expect(outcome).toEqual({
      ok: false,
      flags: [`too few repeat customers to fit BG/NBD: 0 made a repeat purchase, at least ${MIN_REPEAT_CUSTOMERS} are needed`],
    });
  });

  it(`needs ${MIN_REPEAT_CUSTOMERS} repeat customers`, () => {
    // Prepare: 9 repeat customers among 100
    const tuples = [
      { x: 1, tx: 5, T: 20, count: MIN_REPEAT_CUSTOMERS - 1 },
      { x: 0, tx: 0, T: 20, count: 91 },
    ];

    // Act
    const outcome = fitPurchaseModel(tuples);

    // Assess
    expect(outcome).toEqual({ ok: false, flags: [expect.stringContaining('9 made a repeat purchase')] });
  });

  it('reports a likelihood without a maximum as not fitted, with the library’s reasons', () => {
    // Prepare: every customer bought every day until today: no dropout is ever seen
    const tuples = [{ x: 20, tx: 20, T: 20, count: 50 }];

    // Act
    const outcome = fitPurchaseModel(tuples);

    // Assess
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.flags[0]).toBe('BG/NBD did not reach a usable maximum');
    expect(outcome.flags.length).toBeGreaterThan(1);
  });

  it('reports identical spends as a spend model that cannot be fitted', () => {
    // Act
    const outcome = fitSpendModel(Array.from({ length: 40 }, () => ({ x: 2, tx: 3, T: 9, meanSpend: 10 })));

    // Assess
    expect(outcome.ok).toBe(false);
  });

  it('counts only repeat customers with a known spend for the spend model', () => {
    // Prepare: 30 repeat customers, 25 of them without a value in the report currency
    const customers = Array.from({ length: 30 }, (_, i) => (i < 5 ? { x: 1, tx: 2, T: 9, meanSpend: 10 + i } : { x: 1, tx: 2, T: 9 }));

    // Act
    const outcome = fitSpendModel(customers);

    // Assess
    expect(outcome).toEqual({ ok: false, flags: [`too few repeat customers with a known spend to fit Gamma-Gamma: 5, at least ${MIN_REPEAT_CUSTOMERS} are needed`] });
  });
});

describe('scoreCustomers with unknown spend', () => {
  it('gives a repeat customer without a known mean spend the population mean spend', () => {
    // Prepare
    const simulated = simulateCustomers({
      customers: 3000,
      seed: 'unknown-spend',
      bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
      age: { min: 1, max: 78 },
    });
    const customers = simulated.map((c) => (c.x > 0 ? { x: c.x, tx: c.tx, T: c.T, meanSpend: c.meanSpend } : { x: 0, tx: 0, T: c.T }));
    const outcome = fitClvModels(customers);
    if (!outcome.ok) throw new Error(outcome.flags.join('; '));
    const unknown = { x: 3, tx: 20, T: 40 };

    // Act
    const scores = scoreCustomers(outcome.value, [unknown], { daysPerTimeUnit: 7, monthlyDiscountRate: 0 });

    // Assess
    expect(scores.expectedSpend[0]).toBeCloseTo(populationMeanSpend(outcome.value.gammaGamma), 10);
    expect(fitClvModels([...customers, unknown])).toMatchObject({
      ok: true,
      value: { flags: expect.arrayContaining(['1 repeat customer has no known mean spend (repeat orders without an fx rate): scored with the population mean spend']) },
    });
  });
});

describe('repeat customers whose repeats brought no money', () => {
  // Prepare: CDNOW, plus one customer with a $0.00 repeat order (as in the full CDNOW log)
  const customers = cdnowCustomersWithSpend();
  const free = { x: 1, tx: 10, T: 30, meanSpend: 0 };

  it('are left out of the spend fit, which then equals the fit without them', () => {
    // Act
    const without = fitSpendModel(customers);
    const withFree = fitSpendModel([...customers, free]);

    // Assess
    if (!without.ok || !withFree.ok) throw new Error('no fit');
    expect(withFree.value.customers).toBe(946);
    expect([withFree.value.p, withFree.value.q, withFree.value.gamma]).toEqual([without.value.p, without.value.q, without.value.gamma]);
  });

  it('are scored with the population mean spend, counted and flagged', () => {
    // Act
    const outcome = fitClvModels([...customers, free, { ...free, meanSpend: -5 }]);

    // Assess
    if (!outcome.ok) throw new Error(outcome.flags.join('; '));
    expect(outcome.value.flags).toContain("2 repeat customers' repeat orders brought no money (zero-amount orders): left out of the spend fit and scored with the population mean spend");
    const scores = scoreCustomers(outcome.value, [free], { daysPerTimeUnit: 7, monthlyDiscountRate: 0.01 });
    expect(scores.expectedSpend[0]).toBeCloseTo(populationMeanSpend(outcome.value.gammaGamma), 10);
    expect(scores.clv[0]).toBeGreaterThan(0);
  });

  it.each([
    [{ x: 0, tx: 0, T: 5 }, 'no_repeats'],
    [{ x: 2, tx: 3, T: 5 }, 'no_fx_rate'],
    [{ x: 2, tx: 3, T: 5, meanSpend: 0 }, 'not_positive'],
    [{ x: 2, tx: 3, T: 5, meanSpend: 12.5 }, 'own'],
  ])('say in spendBasisOf why %j is scored as it is: %s', (customer, basis) => {
    expect(spendBasisOf(customer)).toBe(basis);
  });
});

describe('holdoutModelAccuracy', () => {
  it('compares the calibration fit’s predictions with the holdout purchases, weighted by count', () => {
    // Prepare: 20,000 simulated customers in whole days, 39 weeks of holdout; the same customers
    // once one row each and once grouped by (x, t_x, T, holdout purchases) with counts
    const simulated = simulateCustomers({
      customers: 20_000,
      seed: 'holdout',
      bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      age: { min: 27, max: 39 },
      timeStep: 1 / 7,
      holdout: 39,
    });
    const rows = simulated.map((c) => ({ x: c.x, tx: c.tx, T: c.T, count: 1, actual: c.holdoutPurchases }));
    const grouped = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const key = `${r.x}|${r.tx}|${r.T}|${r.actual}`;
      const g = grouped.get(key);
      if (g) g.count++;
      else grouped.set(key, { ...r });
    }

    // Act
    const perCustomer = holdoutModelAccuracy(rows, 39);
    const perTuple = holdoutModelAccuracy([...grouped.values()], 39);

    // Assess: the model that generated the data predicts the holdout total within 3 %
    if (!perCustomer.ok || !perTuple.ok) throw new Error('no fit');
    expect(grouped.size).toBeLessThan(rows.length / 2);
    expect(perCustomer.value.accuracy.customers).toBe(20_000);
    expect(Math.abs(perCustomer.value.accuracy.relativeAggregateError!)).toBeLessThan(0.03);
    expect(perTuple.value.accuracy.customers).toBe(20_000);
    expect(perTuple.value.accuracy.mae).toBeCloseTo(perCustomer.value.accuracy.mae, 6);
    expect(perTuple.value.accuracy.rmse).toBeCloseTo(perCustomer.value.accuracy.rmse, 6);
    expect(perTuple.value.accuracy.totalPredicted / perCustomer.value.accuracy.totalPredicted).toBeCloseTo(1, 6);
  });

  it('says why there is no accuracy when nobody bought before the cut-off', () => {
    expect(holdoutModelAccuracy([], 91)).toEqual({ ok: false, flags: ['no customers purchased before the calibration cut-off'] });
  });
});
