-- purpose: Monthly recurring revenue movements per month: opening and closing MRR, new,
--   expansion, contraction, churned and reactivation MRR, net new MRR, GRR and NRR. A customer's
--   MRR at a month's end is the sum of the mrr of their subscriptions running at the month's last
--   instant (started before the next month, not ended before it), converted to the report
--   currency at the rate of each subscription's start day, so exchange-rate moves never show up
--   as expansion or contraction. Movements compare each customer's MRR with the month before:
--   new (from 0, never above 0 before), reactivation (from 0, above 0 in an earlier month),
--   expansion, contraction, churned (to 0, including a downgrade to a free plan). Apart from them,
--   the exchange-rate effect: opening and closing MRR valued again at each month's end rate (the
--   latest rate dated in the month, per currency). Months are UTC calendar months from the first
--   subscription's month to the last month complete by data_end. No rows when there are no
--   subscriptions.
-- grain: one row per month
-- reads: subscriptions, fx_rates
-- parameters:
--   data_end timestamp: subscriptions starting at or after it are not read
--   report_currency varchar: ISO code MRR is reported in (rates into it)
--   report_currency varchar: (repeated) subscriptions already in the report currency
--   report_currency varchar: (repeated) subscriptions needing conversion
--   report_currency varchar: (repeated) subscriptions without a rate
--   data_end timestamp: (repeated) months ending after it are not shown
-- columns:
--   month_start date: first day of the month
--   opening_mrr decimal(38,4): MRR at the end of the month before
--   new_mrr decimal(38,4): MRR of customers at 0 before who never had MRR
--   expansion_mrr decimal(38,4): increases of customers who had MRR the month before
--   contraction_mrr decimal(38,4): decreases that leave MRR above 0
--   churned_mrr decimal(38,4): MRR of customers whose MRR fell to 0
--   reactivation_mrr decimal(38,4): MRR of customers at 0 before who had MRR in an earlier month
--   net_new_mrr decimal(38,4): new + expansion + reactivation - contraction - churned (= closing - opening)
--   closing_mrr decimal(38,4): MRR at the end of the month
--   grr double: (opening - contraction - churned) / opening (NULL without opening MRR)
--   nrr double: (opening + expansion - contraction - churned) / opening (NULL without opening MRR)
--   unconverted_subscriptions bigint: subscriptions running at the month's end left out (no fx rate)
--   opening_mrr_at_rates decimal(38,4): opening MRR at the previous month's end rates (NULL when a
--     rate is missing)
--   closing_mrr_at_rates decimal(38,4): closing MRR at this month's end rates (NULL when a rate is
--     missing)
--   fx_effect decimal(38,4): exchange-rate effect, (closing at rates - closing) - (opening at rates -
--     opening), so opening at rates + net new + fx_effect = closing at rates (NULL when a rate is missing)
--   subscriptions_without_month_end_rate bigint: paying subscriptions in another currency running at
--     the month's end whose currency has no rate dated in the month
with

started_subscriptions as (
    select
        -- ids
        subscription_id,
        customer_id,
        -- amounts
        mrr,
        currency,
        -- timestamps
        started_at,
        ended_at
    from subscriptions
    where started_at < ?
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

-- Each subscription keeps its own currency and amount beside its booked value, so the month-end
-- valuation below revalues exactly the subscriptions the movements count.
valued_subscriptions as (
    select customer_id, mrr, currency, mrr as original_mrr, 0 as is_foreign, started_at, ended_at
    from started_subscriptions
    where currency = ?
    union all
    select
        started_subscriptions.customer_id,
        -- Exact on both engines. DuckDB multiplies two DECIMAL(18) values in 64 bits, as a
        -- DECIMAL(18, 14) that overflows from 10^4: larger products are widened to 128 bits
        -- first, smaller ones are not, as rounding a 128-bit product is ~70 times slower.
        case
            when abs(cast(started_subscriptions.mrr as double) * cast(rates.rate as double)) < 9999
                then cast(started_subscriptions.mrr * rates.rate as decimal(18, 4))
            else cast(cast(started_subscriptions.mrr as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as mrr,
        started_subscriptions.currency,
        started_subscriptions.mrr as original_mrr,
        1 as is_foreign,
        started_subscriptions.started_at,
        started_subscriptions.ended_at
    from started_subscriptions
    inner join rates
        on rates.from_currency = started_subscriptions.currency
        and rates.rate_date = cast(started_subscriptions.started_at as date)
    where started_subscriptions.currency <> ?
),

unconverted_subscriptions as (
    select
        started_subscriptions.started_at,
        started_subscriptions.ended_at
    from started_subscriptions
    left join rates
        on rates.from_currency = started_subscriptions.currency
        and rates.rate_date = cast(started_subscriptions.started_at as date)
    where rates.rate is null
        and started_subscriptions.currency <> ?
),

-- 0..999 month offsets (83 years) from a digits table: `sequence` and bare `VALUES 1, 2` differ
-- between the engines, a cross join of one-column rows does not.
digits as (
    select d
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digits (d)
),

month_numbers as (
    select hundreds.d * 100 + tens.d * 10 + ones.d as n
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones
),

calendar_months as (
    select first_month.month_start + interval '1' month * month_numbers.n as month_start
    from (select date_trunc('month', min(started_at)) as month_start from started_subscriptions) as first_month
    cross join month_numbers
),

calendar as (
    select
        month_start,
        month_start + interval '1' month as month_end
    from calendar_months
    where month_start + interval '1' month <= ?
),

-- Running at the month's last instant: from the month a subscription starts in up to, not
-- including, the month it ends in (ending exactly at midnight on the 1st still counts for the
-- month before; starting then counts from the new month). So a customer's MRR changes only in
-- the months a subscription starts or ends: the steps below work on those changes rather than
-- on every customer x month running (four times the rows at scale, and a non-equi join).
subscription_months as (
    select
        customer_id,
        mrr,
        currency,
        original_mrr,
        is_foreign,
        date_trunc('month', started_at) as first_month,
        date_trunc('month', ended_at) as end_month
    from valued_subscriptions
),

-- A subscription that starts and ends within one month is never running at a month's end and
-- changes nothing.
mrr_changes as (
    select
        customer_id,
        first_month as month_start,
        mrr as mrr_change,
        case when mrr > 0 then 1 else 0 end as positive_starts
    from subscription_months
    where end_month is null
        or end_month > first_month
    union all
    select
        customer_id,
        end_month as month_start,
        -mrr as mrr_change,
        0 as positive_starts
    from subscription_months
    where end_month > first_month
),

customer_changes as (
    select
        customer_id,
        month_start,
        sum(mrr_change) as mrr_change,
        sum(positive_starts) as positive_starts
    from mrr_changes
    group by customer_id, month_start
),

-- MRR is never negative (ingest rejects a negative mrr, rates are positive), so "above 0 at an
-- earlier month's end" is "a subscription with mrr above 0 running at an earlier month's end",
-- i.e. one started (and not ended) in an earlier month.
customer_steps as (
    select
        month_start,
        mrr,
        mrr - mrr_change as previous_mrr,
        earlier_positive_starts
    from (
        select
            month_start,
            mrr_change,
            sum(mrr_change) over (
                partition by customer_id
                order by month_start
                rows between unbounded preceding and current row
            ) as mrr,
            sum(positive_starts) over (
                partition by customer_id
                order by month_start
                rows between unbounded preceding and current row
            ) - positive_starts as earlier_positive_starts
        from customer_changes
    ) as running
),

customer_movements as (
    select
        month_start,
        mrr - previous_mrr as net_new_mrr,
        case when previous_mrr = 0 and mrr > 0 and earlier_positive_starts = 0 then mrr else 0 end as new_mrr,
        case when previous_mrr > 0 and mrr > previous_mrr then mrr - previous_mrr else 0 end as expansion_mrr,
        case when previous_mrr > 0 and mrr > 0 and mrr < previous_mrr then previous_mrr - mrr else 0 end as contraction_mrr,
        case when previous_mrr > 0 and mrr = 0 then previous_mrr else 0 end as churned_mrr,
        case when previous_mrr = 0 and mrr > 0 and earlier_positive_starts > 0 then mrr else 0 end as reactivation_mrr
    from customer_steps
),

monthly_movements as (
    select
        month_start,
        sum(net_new_mrr) as net_new_mrr,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(reactivation_mrr) as reactivation_mrr
    from customer_movements
    group by month_start
),

-- Counted like the MRR: one more in the month a subscription starts, one less in the month it ends.
unconverted_changes as (
    select
        date_trunc('month', started_at) as month_start,
        1 as running_change
    from unconverted_subscriptions
    where ended_at is null
        or date_trunc('month', ended_at) > date_trunc('month', started_at)
    union all
    select
        date_trunc('month', ended_at) as month_start,
        -1 as running_change
    from unconverted_subscriptions
    where date_trunc('month', ended_at) > date_trunc('month', started_at)
),

unconverted_per_month as (
    select
        month_start,
        sum(running_change) as running_change
    from unconverted_changes
    group by month_start
),

-- The exchange-rate effect. Foreign-currency MRR runs per currency as the customers' MRR does (a
-- change in the month a subscription starts and in the month it ends), in its own currency and at
-- booked rates, so each month's end can value what runs then at that month's rate.
currency_changes as (
    select
        currency,
        first_month as month_start,
        original_mrr as original_change,
        mrr as booked_change,
        case when original_mrr > 0 then 1 else 0 end as paying_change
    from subscription_months
    where is_foreign = 1
        and (end_month is null or end_month > first_month)
    union all
    select
        currency,
        end_month as month_start,
        -original_mrr as original_change,
        -mrr as booked_change,
        case when original_mrr > 0 then -1 else 0 end as paying_change
    from subscription_months
    where is_foreign = 1
        and end_month > first_month
),

currency_changes_per_month as (
    select
        currency,
        month_start,
        sum(original_change) as original_change,
        sum(booked_change) as booked_change,
        sum(paying_change) as paying_change
    from currency_changes
    group by currency, month_start
),

currency_running as (
    select
        calendar.month_start,
        currencies.currency,
        sum(coalesce(currency_changes_per_month.original_change, 0)) over (
            partition by currencies.currency
            order by calendar.month_start
            rows between unbounded preceding and current row
        ) as original_mrr,
        sum(coalesce(currency_changes_per_month.booked_change, 0)) over (
            partition by currencies.currency
            order by calendar.month_start
            rows between unbounded preceding and current row
        ) as booked_mrr,
        sum(coalesce(currency_changes_per_month.paying_change, 0)) over (
            partition by currencies.currency
            order by calendar.month_start
            rows between unbounded preceding and current row
        ) as paying_subscriptions
    from calendar
    cross join (select distinct currency from currency_changes) as currencies
    left join currency_changes_per_month
        on currency_changes_per_month.currency = currencies.currency
        and currency_changes_per_month.month_start = calendar.month_start
),

-- A month's end rate is the latest rate dated in that month: an older one would pass a stale rate
-- off as the month's, and a currency's move as none.
month_rate_days as (
    select
        from_currency,
        date_trunc('month', cast(rate_date as timestamp)) as month_start,
        max(rate_date) as rate_date
    from rates
    group by from_currency, date_trunc('month', cast(rate_date as timestamp))
),

month_end_rates as (
    select
        month_rate_days.from_currency,
        month_rate_days.month_start,
        rates.rate
    from month_rate_days
    inner join rates
        on rates.from_currency = month_rate_days.from_currency
        and rates.rate_date = month_rate_days.rate_date
),

-- Per month, what valuing the foreign MRR running at its end at the month's rates adds to its
-- booked value (one rounding per currency and month).
monthly_revaluation as (
    select
        currency_running.month_start,
        sum(
            case
                when currency_running.original_mrr = 0 then cast(0 as decimal(38, 4))
                else cast(currency_running.original_mrr * month_end_rates.rate as decimal(38, 4)) - currency_running.booked_mrr
            end
        ) as revaluation,
        sum(case when month_end_rates.rate is null then currency_running.paying_subscriptions else 0 end) as without_rate
    from currency_running
    left join month_end_rates
        on month_end_rates.from_currency = currency_running.currency
        and month_end_rates.month_start = currency_running.month_start
    group by currency_running.month_start
),

-- Every month: what changed in it, and what runs at its end (all changes up to it).
monthly_changes as (
    select
        calendar.month_start,
        coalesce(monthly_movements.net_new_mrr, 0) as net_new_mrr,
        coalesce(monthly_movements.new_mrr, 0) as new_mrr,
        coalesce(monthly_movements.expansion_mrr, 0) as expansion_mrr,
        coalesce(monthly_movements.contraction_mrr, 0) as contraction_mrr,
        coalesce(monthly_movements.churned_mrr, 0) as churned_mrr,
        coalesce(monthly_movements.reactivation_mrr, 0) as reactivation_mrr,
        sum(coalesce(monthly_movements.net_new_mrr, 0)) over (
            order by calendar.month_start
            rows between unbounded preceding and current row
        ) as closing_mrr,
        sum(coalesce(unconverted_per_month.running_change, 0)) over (
            order by calendar.month_start
            rows between unbounded preceding and current row
        ) as unconverted_subscriptions,
        coalesce(monthly_revaluation.revaluation, 0) as revaluation,
        coalesce(monthly_revaluation.without_rate, 0) as without_rate
    from calendar
    left join monthly_movements
        on monthly_movements.month_start = calendar.month_start
    left join unconverted_per_month
        on unconverted_per_month.month_start = calendar.month_start
    left join monthly_revaluation
        on monthly_revaluation.month_start = calendar.month_start
),

-- A missing month-end rate leaves the month's revalued MRR unknown, not at its booked value.
revalued_changes as (
    select
        monthly_changes.*,
        case
            when without_rate > 0 then null
            else cast(closing_mrr + revaluation as decimal(38, 4))
        end as closing_mrr_at_rates
    from monthly_changes
),

movements as (
    select
        month_start,
        closing_mrr - net_new_mrr as opening_mrr,
        new_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        reactivation_mrr,
        closing_mrr,
        cast(unconverted_subscriptions as bigint) as unconverted_subscriptions,
        -- The first month opens with no MRR, at any rate.
        lag(closing_mrr_at_rates, 1, cast(0 as decimal(38, 4))) over (order by month_start) as opening_mrr_at_rates,
        closing_mrr_at_rates,
        cast(without_rate as bigint) as subscriptions_without_month_end_rate
    from revalued_changes
),

final as (
    select
        cast(month_start as date) as month_start,
        opening_mrr,
        new_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        reactivation_mrr,
        new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr as net_new_mrr,
        closing_mrr,
        cast(opening_mrr - contraction_mrr - churned_mrr as double)
            / nullif(cast(opening_mrr as double), 0) as grr,
        cast(opening_mrr + expansion_mrr - contraction_mrr - churned_mrr as double)
            / nullif(cast(opening_mrr as double), 0) as nrr,
        unconverted_subscriptions,
        opening_mrr_at_rates,
        closing_mrr_at_rates,
        (closing_mrr_at_rates - closing_mrr) - (opening_mrr_at_rates - opening_mrr) as fx_effect,
        subscriptions_without_month_end_rate
    from movements
)

select * from final
order by month_start
