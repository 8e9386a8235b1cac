-- vitrine: pair counting and popularity, for shops whose order history does not fit one machine.
--
-- Runs unchanged on DuckDB and Spark SQL (ANSI joins, window functions, LEAST/GREATEST, POWER).
-- Input: a table or view `vitrine_interactions` with the columns
--   user_id   STRING   the buyer; NULL or empty when unknown (used only to count, per item, the
--                      buyers who bought it again; no user id reaches the output)
--   order_id  STRING   order id, unique across users (or browsing session id, unique per user)
--   item_id   STRING
--   ts_ms     BIGINT   ms since the epoch (UTC)
--   quantity  DOUBLE   NULL counts as 1; lines with quantity <= 0 (returns) are left out
--   price     DOUBLE   NULL when unknown
--   event     STRING   'purchase' | 'add' | 'view'; NULL counts as 'purchase'
-- Output: two views, exported as CSV with a header and given to
--   vitrine-model build --pairs pairs.csv --popularity popularity.csv --out model.vtr
--   vitrine_popularity  item_id, lines, baskets, sessions, popularity, trending, price,
--                       price_lines, reference_time, buyers, repeat_buyers
--   vitrine_pairs       kind ('purchase' | 'view'), item_a, item_b (item_a < item_b), weight
-- Definitions match src/model/build/baskets.rs exactly, so the model equals the direct build.
-- The parameters below must equal the builder's options (--popularity-half-life,
-- --trending-half-life, --view-window, --max-basket); these are the defaults.

CREATE OR REPLACE TEMPORARY VIEW vitrine_params AS
SELECT 90.0 AS popularity_half_life_days,
       14.0 AS trending_half_life_days,
       3 AS view_window,
       1000 AS max_basket;

-- buyer: a purchase line's user_id, or, when it has none, the one user_id the purchase lines of
-- its order give (Shopify writes the customer on an order's first line only); none when they
-- give two. session: views and adds are grouped by order_id and user_id (GA4's ga_session_id is
-- unique per user only); lines without a user_id by order_id alone.
CREATE OR REPLACE TEMPORARY VIEW vitrine_lines AS
WITH kept AS (
  SELECT NULLIF(TRIM(user_id), '') AS user_id,
         order_id,
         item_id,
         ts_ms,
         price,
         COALESCE(LOWER(TRIM(event)), 'purchase') AS event
  FROM vitrine_interactions
  WHERE COALESCE(quantity, 1.0) > 0
),
per_order AS (
  SELECT k.*,
         MIN(user_id) OVER (PARTITION BY order_id, event = 'purchase') AS order_user_min,
         MAX(user_id) OVER (PARTITION BY order_id, event = 'purchase') AS order_user_max
  FROM kept k
)
SELECT user_id,
       order_id,
       item_id,
       ts_ms,
       price,
       event,
       CASE WHEN event = 'purchase' THEN
         COALESCE(user_id, CASE WHEN order_user_min = order_user_max THEN order_user_min END)
       END AS buyer,
       CASE WHEN user_id IS NULL THEN order_id
            ELSE CONCAT(order_id, CHR(31), user_id) END AS session_id
FROM per_order;

-- Per item: buyers (distinct users with a purchase of it) and repeat buyers (those who bought it
-- in two or more orders).
CREATE OR REPLACE TEMPORARY VIEW vitrine_buyers AS
SELECT item_id,
       COUNT(*) AS buyers,
       SUM(CASE WHEN orders >= 2 THEN 1 ELSE 0 END) AS repeat_buyers
FROM (
  SELECT buyer, item_id, COUNT(DISTINCT order_id) AS orders
  FROM vitrine_lines
  WHERE event = 'purchase' AND buyer IS NOT NULL
  GROUP BY buyer, item_id
) per_buyer
GROUP BY item_id;

-- Per item: lines, orders holding it, sessions holding it, decayed popularity and trending
-- (purchase 1, add 0.25, view 0.05, halving every half-life before the latest line), mean price,
-- buyers and repeat buyers.
CREATE OR REPLACE TEMPORARY VIEW vitrine_popularity AS
WITH latest AS (
  SELECT MAX(ts_ms) AS reference_time FROM vitrine_lines
),
weighted AS (
  SELECT l.item_id,
         l.order_id,
         l.session_id,
         l.event,
         l.price,
         CASE l.event WHEN 'purchase' THEN 1.0 WHEN 'add' THEN 0.25 ELSE 0.05 END AS w,
         CAST(r.reference_time - l.ts_ms AS DOUBLE) AS age_ms,
         r.reference_time
  FROM vitrine_lines l CROSS JOIN latest r
)
SELECT x.item_id,
       COUNT(*) AS lines,
       COUNT(DISTINCT CASE WHEN x.event = 'purchase' THEN x.order_id END) AS baskets,
       COUNT(DISTINCT CASE WHEN x.event <> 'purchase' THEN x.session_id END) AS sessions,
       SUM(x.w * POWER(0.5, x.age_ms / (p.popularity_half_life_days * 86400000.0))) AS popularity,
       SUM(x.w * POWER(0.5, x.age_ms / (p.trending_half_life_days * 86400000.0))) AS trending,
       AVG(x.price) AS price,
       COUNT(x.price) AS price_lines,
       MAX(x.reference_time) AS reference_time,
       COALESCE(MAX(b.buyers), 0) AS buyers,
       COALESCE(MAX(b.repeat_buyers), 0) AS repeat_buyers
FROM weighted x
CROSS JOIN vitrine_params p
LEFT JOIN vitrine_buyers b ON b.item_id = x.item_id
GROUP BY x.item_id;

-- Co-purchase: orders holding both items (orders over max_basket distinct items skipped).
-- Co-view: within a session ordered by (time, item id), every two positions at most
-- view_window apart with different items add view_window + 1 - distance.
CREATE OR REPLACE TEMPORARY VIEW vitrine_pairs AS
WITH basket AS (
  SELECT DISTINCT order_id, item_id FROM vitrine_lines WHERE event = 'purchase'
),
small_basket AS (
  SELECT b.order_id
  FROM basket b CROSS JOIN vitrine_params p
  GROUP BY b.order_id, p.max_basket
  HAVING COUNT(*) <= p.max_basket
),
purchase_pairs AS (
  SELECT 'purchase' AS kind, a.item_id AS item_a, b.item_id AS item_b, COUNT(*) AS weight
  FROM basket a
  JOIN basket b ON a.order_id = b.order_id AND a.item_id < b.item_id
  JOIN small_basket s ON s.order_id = a.order_id
  GROUP BY a.item_id, b.item_id
),
browse AS (
  SELECT session_id,
         item_id,
         ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY ts_ms, item_id) AS pos
  FROM vitrine_lines
  WHERE event <> 'purchase'
),
view_pairs AS (
  SELECT 'view' AS kind,
         LEAST(a.item_id, b.item_id) AS item_a,
         GREATEST(a.item_id, b.item_id) AS item_b,
         SUM(p.view_window + 1 - (b.pos - a.pos)) AS weight
  FROM browse a
  JOIN browse b ON a.session_id = b.session_id AND b.pos > a.pos
  CROSS JOIN vitrine_params p
  WHERE b.pos - a.pos <= p.view_window AND a.item_id <> b.item_id
  GROUP BY LEAST(a.item_id, b.item_id), GREATEST(a.item_id, b.item_id)
)
SELECT kind, item_a, item_b, weight FROM purchase_pairs
UNION ALL
SELECT kind, item_a, item_b, weight FROM view_pairs;
