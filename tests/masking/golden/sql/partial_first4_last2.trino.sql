CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN NOT (
      LENGTH("v") >= 10
    )
    THEN 'XXXXX'
    ELSE CONCAT(
      CAST(SUBSTR("v", 1, 4) AS VARCHAR),
      CAST('…' AS VARCHAR),
      CAST(SUBSTR("v", LENGTH("v") - (
        2 - 1
      )) AS VARCHAR)
    )
  END
END
