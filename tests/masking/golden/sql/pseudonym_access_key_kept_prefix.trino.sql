SUBSTR(
  CONCAT(
    CAST('key_' AS VARCHAR),
    CAST(SUBSTR("v", 1, 4 * CAST(LENGTH("v") >= 16 AS INTEGER)) AS VARCHAR),
    CAST(SUBSTR('_', 1, CAST(LENGTH("v") >= 16 AS INTEGER)) AS VARCHAR),
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
  ),
  1,
  CAST(LENGTH("v") >= 1 AS INTEGER) * 128
)
