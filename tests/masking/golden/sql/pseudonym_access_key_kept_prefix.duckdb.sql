CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS TEXT)
  ELSE CASE
    WHEN LENGTH("v") >= 16
    THEN 'key_' || SUBSTRING("v", 1, 4) || '_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':access_key:' || "v"), 1, 12)
    ELSE 'key_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':access_key:' || "v"), 1, 12)
  END
END
