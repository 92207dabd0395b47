SUBSTRING(
  'acct_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':account_id:' || "v"), 1, 12),
  1,
  CAST(LENGTH("v") >= 1 AS INT) * 128
)
