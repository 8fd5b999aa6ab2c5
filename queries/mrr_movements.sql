-- purpose: Monthly recurring revenue movements per month: opening and closing MRR, new,
--   expansion, contraction, churned and reactivation MRR, net new MRR, GRR and NRR. A customer's
--   MRR at a month's end is the sum of the mrr of their subscriptions running at the month's last
--   instant (started before the next month, not ended before it), converted to the report
--   currency at the rate of each subscription's start day, so exchange-rate moves never show up
--   as expansion or contraction. Movements compare each customer's MRR with the month before:
--   new (from 0, never above 0 before), reactivation (from 0, above 0 in an earlier month),
--   expansion, contraction, churned (to 0, including a downgrade to a free plan). Months are UTC
--   calendar months from the first subscription's month to the last month complete by data_end.
--   No rows when there are no subscriptions.
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

valued_subscriptions as (
    select customer_id, mrr, started_at, ended_at
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

-- Running at the month's last instant: a subscription ending exactly at midnight on the 1st
-- still counts for the month before, one starting then counts from the new month.
mrr_at_month_end as (
    select
        valued_subscriptions.customer_id,
        calendar.month_start,
        sum(valued_subscriptions.mrr) as mrr
    from valued_subscriptions
    inner join calendar
        on valued_subscriptions.started_at < calendar.month_end
        and (valued_subscriptions.ended_at is null or valued_subscriptions.ended_at >= calendar.month_end)
    group by valued_subscriptions.customer_id, calendar.month_start
),

-- Only the months a customer has a row in, with the neighbouring rows: a month with nothing
-- running moves nothing unless the month before had MRR (a churn, below), so the customer x
-- month grid from their first month is not needed. MRR is never negative (ingest rejects a
-- negative mrr, rates are positive), so "above 0 in an earlier month" is the earlier rows'
-- maximum above 0, gaps or not.
customer_history as (
    select
        customer_id,
        month_start,
        mrr,
        lag(month_start) over (partition by customer_id order by month_start) as previous_month,
        coalesce(lag(mrr) over (partition by customer_id order by month_start), 0) as previous_row_mrr,
        lead(month_start) over (partition by customer_id order by month_start) as next_month,
        coalesce(
            max(mrr) over (
                partition by customer_id
                order by month_start
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as earlier_peak_mrr
    from mrr_at_month_end
),

customer_steps as (
    select
        month_start,
        mrr,
        case when previous_month + interval '1' month = month_start then previous_row_mrr else 0 end as previous_mrr,
        earlier_peak_mrr
    from customer_history
    union all
    -- the month after a row, when the customer has none for it: MRR went to 0 (the earlier
    -- peak only tells new from reactivated MRR, and there is none)
    select
        calendar.month_start,
        0 as mrr,
        customer_history.mrr as previous_mrr,
        cast(null as decimal(38, 4)) as earlier_peak_mrr
    from customer_history
    inner join calendar
        on calendar.month_start = customer_history.month_start + interval '1' month
    where customer_history.next_month is null
        or customer_history.next_month > calendar.month_start
),

customer_movements as (
    select
        month_start,
        previous_mrr as opening_mrr,
        case when previous_mrr = 0 and mrr > 0 and earlier_peak_mrr = 0 then mrr else 0 end as new_mrr,
        case when previous_mrr > 0 and mrr > previous_mrr then mrr - previous_mrr else 0 end as expansion_mrr,
        case when previous_mrr > 0 and mrr > 0 and mrr < previous_mrr then previous_mrr - mrr else 0 end as contraction_mrr,
        case when previous_mrr > 0 and mrr = 0 then previous_mrr else 0 end as churned_mrr,
        case when previous_mrr = 0 and mrr > 0 and earlier_peak_mrr > 0 then mrr else 0 end as reactivation_mrr,
        mrr as closing_mrr
    from customer_steps
),

monthly_movements as (
    select
        month_start,
        sum(opening_mrr) as opening_mrr,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(closing_mrr) as closing_mrr
    from customer_movements
    group by month_start
),

unconverted_per_month as (
    select
        calendar.month_start,
        count(*) as unconverted_subscriptions
    from unconverted_subscriptions
    inner join calendar
        on unconverted_subscriptions.started_at < calendar.month_end
        and (unconverted_subscriptions.ended_at is null or unconverted_subscriptions.ended_at >= calendar.month_end)
    group by calendar.month_start
),

movements as (
    select
        calendar.month_start,
        coalesce(monthly_movements.opening_mrr, 0) as opening_mrr,
        coalesce(monthly_movements.new_mrr, 0) as new_mrr,
        coalesce(monthly_movements.expansion_mrr, 0) as expansion_mrr,
        coalesce(monthly_movements.contraction_mrr, 0) as contraction_mrr,
        coalesce(monthly_movements.churned_mrr, 0) as churned_mrr,
        coalesce(monthly_movements.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(monthly_movements.closing_mrr, 0) as closing_mrr,
        coalesce(unconverted_per_month.unconverted_subscriptions, 0) as unconverted_subscriptions
    from calendar
    left join monthly_movements
        on monthly_movements.month_start = calendar.month_start
    left join unconverted_per_month
        on unconverted_per_month.month_start = calendar.month_start
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
        unconverted_subscriptions
    from movements
)

select * from final
order by month_start
