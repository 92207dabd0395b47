CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS TEXT)
  ELSE 'acct_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':account_id:' || "v"), 1, 12)
END
