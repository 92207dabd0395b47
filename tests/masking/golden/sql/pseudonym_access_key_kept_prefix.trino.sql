CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  ELSE CASE
    WHEN LENGTH("v") >= 16
    THEN CONCAT(
      CAST('key_' AS VARCHAR),
      CAST(SUBSTR("v", 1, 4) AS VARCHAR),
      CAST('_' AS VARCHAR),
      CAST(SUBSTR(
        LOWER(
          TO_HEX(
            SHA256(
              TO_UTF8(
                CONCAT(
                  CAST((
                    SELECT
                      k
                    FROM tm_mask_key
                  ) AS VARCHAR),
                  CAST(':access_key:' AS VARCHAR),
                  CAST("v" AS VARCHAR)
                )
              )
            )
          )
        ),
        1,
        12
      ) AS VARCHAR)
    )
    ELSE CONCAT(
      CAST('key_' AS VARCHAR),
      CAST(SUBSTR(
        LOWER(
          TO_HEX(
            SHA256(
              TO_UTF8(
                CONCAT(
                  CAST((
                    SELECT
                      k
                    FROM tm_mask_key
                  ) AS VARCHAR),
                  CAST(':access_key:' AS VARCHAR),
                  CAST("v" AS VARCHAR)
                )
              )
            )
          )
        ),
        1,
        12
      ) AS VARCHAR)
    )
  END
END
