// Human labels for KPI keys and CLV methods (English; other locales come with the e-mail work).
import type { KpiKey } from '../kpi/weeklyKpis.ts';
import type { ClvResult } from '../clv/formulas.ts';

export const KPI_LABELS: Record<KpiKey, string> = {
  headline_clv: 'Headline CLV',
  active_customers: 'Active customers',
  retention_rate: 'Customer retention (28 days)',
  churn_rate: 'Customer churn (28 days)',
  monthly_churn: 'Monthly churn',
  lifespan_months: 'Customer lifespan',
  arpu_monthly: 'ARPU (monthly)',
  aov: 'Average order value',
  purchase_frequency: 'Purchase frequency (28 days)',
  annual_purchase_frequency: 'Purchase frequency (annual)',
  repeat_purchase_rate: 'Repeat purchase rate',
  new_customers: 'New customers (28 days)',
  net_revenue: 'Net revenue (28 days)',
  marketing_spend: 'Marketing spend (28 days)',
  cac: 'CAC (blended)',
  ltv_to_cac: 'LTV : CAC',
  cac_payback_months: 'CAC payback',
  clv_saas: 'CLV, SaaS formula',
  clv_purchase: 'CLV, purchase formula',
  clv_cohort: 'CLV, cohort 12-month value',
  clv_bgnbd: 'CLV, BG/NBD + Gamma-Gamma',
};

export const CLV_METHOD_LABELS: Record<ClvResult['method'], string> = {
  saas: 'SaaS formula (ARPU × margin ÷ monthly churn)',
  purchase: 'Purchase formula (AOV × annual frequency × lifespan × margin)',
  cohort: 'Cohort 12-month value (historical)',
  bgnbd: 'BG/NBD + Gamma-Gamma (predictive)',
};
