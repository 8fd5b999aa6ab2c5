-- purpose: RFM segments: per named segment, its customers and their share, net revenue and its
--   share, and the average frequency and monetary value of its customers (stage 1 of the
--   scorecard: segment shares of customers and revenue). Customers, scores and segments are those
--   of rfm_scores.sql, whose CTEs this file repeats verbatim (a test checks it), so the one rule
--   table decides both. Every segment of the rule table has a row, empty ones with zeros.
-- grain: one row per segment of the rule table
-- reads: orders (order_month partitions from_month..to_month), fx_rates
-- parameters:
--   from_month varchar: first order_month partition to read (month of activity_from)
--   to_month varchar: last order_month partition to read (month of the last instant before as_of)
--   activity_from timestamp: start of the activity window, inclusive (as_of minus the activity window)
--   as_of timestamp: end of the activity window, exclusive
--   report_currency varchar: ISO code revenue is reported in (rates into it)
--   report_currency varchar: (repeated) orders already in the report currency
--   report_currency varchar: (repeated) orders needing conversion
-- columns:
--   segment varchar: named segment, in the order of the rule table
--   customers bigint: customers in the segment
--   customer_share double: customers / all scored customers
--   revenue decimal(38,4): their net revenue in the window, report currency
--   revenue_share double: revenue / the revenue of all scored customers
--   average_frequency double: paid orders per customer (NULL for an empty segment)
--   average_monetary double: revenue per customer (NULL for an empty segment)
--   unconverted_orders bigint: the segment's paid orders left out of revenue (no fx rate)
with

paid_orders as (
    select
        -- ids
        customer_id,
        -- amounts
        currency,
        amount - coalesce(refunded_amount, 0) as net_amount,
        -- timestamps
        ordered_at
    from orders
    where order_month between ? and ?
        and ordered_at >= ?
        and ordered_at < ?
        and status = 'paid'
        and amount - coalesce(refunded_amount, 0) > 0
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

-- Every paid order with its net amount in the report currency; NULL when it has no rate for
-- its day (counted in unconverted_orders, left out of monetary).
valued_orders as (
    select customer_id, ordered_at, net_amount
    from paid_orders
    where currency = ?
    union all
    select
        paid_orders.customer_id,
        paid_orders.ordered_at,
        -- Exact on both engines. DuckDB multiplies two DECIMAL(18) values in 64 bits, as a
        -- DECIMAL(18, 14) that overflows from 10^4: larger products are widened to 128 bits
        -- first, smaller ones are not, as rounding a 128-bit product is ~70 times slower.
        case
            when abs(cast(paid_orders.net_amount as double) * cast(rates.rate as double)) < 9999
                then cast(paid_orders.net_amount * rates.rate as decimal(18, 4))
            else cast(cast(paid_orders.net_amount as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as net_amount
    from paid_orders
    left join rates
        on rates.from_currency = paid_orders.currency
        and rates.rate_date = cast(paid_orders.ordered_at as date)
    where paid_orders.currency <> ?
),

-- One grouping per customer for all three values.
rfm_values as (
    select
        customer_id,
        max(ordered_at) as last_order_at,
        count(*) as frequency,
        coalesce(sum(net_amount), 0) as monetary,
        count(*) - count(net_amount) as unconverted_orders
    from valued_orders
    group by customer_id
),

-- Ascending order puts the worst first, so bucket 5 is the best; customer_id makes the order
-- total, so equal values split across buckets the same way on every run and engine.
scored as (
    select
        *,
        ntile(5) over (order by last_order_at, customer_id) as r_score,
        ntile(5) over (order by frequency, customer_id) as f_score,
        ntile(5) over (order by monetary, customer_id) as m_score
    from rfm_values
),

-- The one segment rule table. Ranges are inclusive; fm_sum = f_score + m_score = 2 × FM, so a
-- fractional FM (3.5 is a sum of 7) meets whole-number bounds. The rows do not overlap and
-- cover all 125 score combinations (tested): the published table, read first match wins,
-- with New, Promising, Can't Lose Them and Lost given back the corners they were shadowed from.
segment_rules as (
    select segment, segment_order, r_min, r_max, fm_sum_min, fm_sum_max
    from (
        values
            ('Champions', 1, 4, 5, 8, 10),
            ('Loyal', 2, 4, 5, 6, 7),
            ('Loyal', 2, 2, 3, 6, 10),
            ('Potential Loyalist', 3, 3, 5, 4, 5),
            ('New (Recent)', 4, 4, 5, 2, 3),
            ('Promising', 5, 3, 3, 2, 3),
            ('Need Attention', 6, 2, 2, 4, 5),
            ('About to Sleep', 7, 2, 2, 2, 3),
            ('At Risk', 8, 1, 1, 6, 7),
            ('Can''t Lose Them', 9, 1, 1, 8, 10),
            ('Hibernating', 10, 1, 1, 4, 5),
            ('Lost', 11, 1, 1, 2, 3)
    ) as segment_rules (segment, segment_order, r_min, r_max, fm_sum_min, fm_sum_max)
),

-- The segment of each of the 125 (R, F, M) score combinations, so that every customer is
-- matched by equality: a range join of all customers to the rules runs as a slow merge join.
score_values as (
    select score
    from (values (1), (2), (3), (4), (5)) as score_values (score)
),

score_segments as (
    select
        r.score as r_score,
        f.score as f_score,
        m.score as m_score,
        segment_rules.segment,
        segment_rules.segment_order
    from score_values as r
    cross join score_values as f
    cross join score_values as m
    left join segment_rules
        on r.score between segment_rules.r_min and segment_rules.r_max
        and f.score + m.score between segment_rules.fm_sum_min and segment_rules.fm_sum_max
),

segmented as (
    select
        scored.*,
        score_segments.segment,
        score_segments.segment_order
    from scored
    left join score_segments
        on score_segments.r_score = scored.r_score
        and score_segments.f_score = scored.f_score
        and score_segments.m_score = scored.m_score
),

segment_names as (
    select
        segment,
        min(segment_order) as segment_order
    from segment_rules
    group by segment
),

per_segment as (
    select
        segment,
        count(*) as customers,
        sum(monetary) as revenue,
        cast(sum(frequency) as bigint) as paid_orders,
        cast(sum(unconverted_orders) as bigint) as unconverted_orders
    from segmented
    group by segment
),

totals as (
    select
        count(*) as customers,
        coalesce(sum(monetary), 0) as revenue
    from segmented
),

final as (
    select
        segment_names.segment_order,
        segment_names.segment,
        coalesce(per_segment.customers, 0) as customers,
        cast(coalesce(per_segment.customers, 0) as double) / nullif(cast(totals.customers as double), 0) as customer_share,
        coalesce(per_segment.revenue, 0) as revenue,
        cast(coalesce(per_segment.revenue, 0) as double) / nullif(cast(totals.revenue as double), 0) as revenue_share,
        cast(per_segment.paid_orders as double) / nullif(cast(per_segment.customers as double), 0) as average_frequency,
        cast(per_segment.revenue as double) / nullif(cast(per_segment.customers as double), 0) as average_monetary,
        coalesce(per_segment.unconverted_orders, 0) as unconverted_orders
    from segment_names
    cross join totals
    left join per_segment
        on per_segment.segment = segment_names.segment
)

select
    segment,
    customers,
    customer_share,
    revenue,
    revenue_share,
    average_frequency,
    average_monetary,
    unconverted_orders
from final
order by segment_order
