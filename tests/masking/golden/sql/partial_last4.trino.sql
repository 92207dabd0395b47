CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN NOT (
      LENGTH("v") >= 8
    )
    THEN 'XXXXX'
    ELSE CONCAT(
      CAST(SUBSTR("v", 1, 0) AS VARCHAR),
      CAST('***' AS VARCHAR),
      CAST(SUBSTR("v", LENGTH("v") - (
        4 - 1
      )) AS VARCHAR)
    )
  END
END
