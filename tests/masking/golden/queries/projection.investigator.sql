SELECT
  eventName,
  userIdentity.arn,
  sourceIPAddress
FROM (
  SELECT
    CASE WHEN tm_e."userIdentity" IS NULL THEN NULL ELSE {'arn': tm_l0."r"} END AS "userIdentity",
    tm_e."eventTime" AS "eventTime",
    tm_e."eventName" AS "eventName",
    tm_l1."r" AS "sourceIPAddress"
  FROM (
    SELECT
      tm_s.*
    FROM (
      SELECT
        *
      FROM main.events AS tm_w
      ORDER BY
        eventTime
      LIMIT 5
    ) AS tm_s
  ) AS tm_e
  LEFT JOIN (
    SELECT
      tm_d."v",
      CASE
        WHEN tm_d."v" IS NULL
        THEN CAST(NULL AS TEXT)
        WHEN tm_d."v" = ''
        THEN ''
        ELSE CASE
          WHEN LOWER(REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) = 'aws'
          THEN tm_d."v"
          WHEN REGEXP_MATCHES(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
          THEN CONCAT(
            REGEXP_EXTRACT(tm_d."v", '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1),
            CASE
              WHEN LOWER(REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) IN ('', 'aws')
              THEN REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
              ELSE SUBSTRING(
                'acct_' || SUBSTRING(
                  SHA256(
                    GETVARIABLE('tm_mask_key__k') || ':account_id:' || REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
                  ),
                  1,
                  12
                ),
                1,
                CAST(LENGTH(REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) >= 1 AS INT) * 128
              )
            END,
            ':',
            REGEXP_EXTRACT(
              tm_d."v",
              '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
              1
            ),
            SUBSTRING(
              ARRAY_TO_STRING(
                LIST_TRANSFORM(
                  REGEXP_EXTRACT_ALL(
                    CASE
                      WHEN REGEXP_EXTRACT(
                        tm_d."v",
                        '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                        1
                      ) = ''
                      THEN REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
                      ELSE SUBSTRING(
                        REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
                        LENGTH(
                          REGEXP_EXTRACT(
                            tm_d."v",
                            '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                            1
                          )
                        ) + 1
                      )
                    END || '/',
                    '[^/]*/'
                  ),
                  LAMBDA tm_seg : CASE
                    WHEN REGEXP_MATCHES(
                      SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                      '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                    )
                    THEN SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                    WHEN STARTS_WITH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 'AWSReservedSSO_')
                    THEN 'AWSReservedSSO_' || SUBSTRING(
                      'user_' || SUBSTRING(
                        SHA256(
                          GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)
                        ),
                        1,
                        12
                      ),
                      1,
                      CAST(LENGTH(SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)) >= 1 AS INT) * 128
                    )
                    ELSE SUBSTRING(
                      'user_' || SUBSTRING(
                        SHA256(
                          GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                        ),
                        1,
                        12
                      ),
                      1,
                      CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
                    )
                  END || '/'
                ),
                ''
              ),
              1,
              LENGTH(
                ARRAY_TO_STRING(
                  LIST_TRANSFORM(
                    REGEXP_EXTRACT_ALL(
                      CASE
                        WHEN REGEXP_EXTRACT(
                          tm_d."v",
                          '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                          1
                        ) = ''
                        THEN REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
                        ELSE SUBSTRING(
                          REGEXP_EXTRACT(tm_d."v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
                          LENGTH(
                            REGEXP_EXTRACT(
                              tm_d."v",
                              '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                              1
                            )
                          ) + 1
                        )
                      END || '/',
                      '[^/]*/'
                    ),
                    LAMBDA tm_seg : CASE
                      WHEN REGEXP_MATCHES(
                        SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                        '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                      )
                      THEN SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                      WHEN STARTS_WITH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 'AWSReservedSSO_')
                      THEN 'AWSReservedSSO_' || SUBSTRING(
                        'user_' || SUBSTRING(
                          SHA256(
                            GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)
                          ),
                          1,
                          12
                        ),
                        1,
                        CAST(LENGTH(SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)) >= 1 AS INT) * 128
                      )
                      ELSE SUBSTRING(
                        'user_' || SUBSTRING(
                          SHA256(
                            GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                          ),
                          1,
                          12
                        ),
                        1,
                        CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
                      )
                    END || '/'
                  ),
                  ''
                )
              ) - 1
            )
          )
          ELSE CASE
            WHEN REGEXP_MATCHES(
              tm_d."v",
              '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
            )
            THEN tm_d."v"
            WHEN STARTS_WITH(tm_d."v", 'AWSReservedSSO_')
            THEN 'AWSReservedSSO_' || SUBSTRING(
              'user_' || SUBSTRING(
                SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_d."v", 16)),
                1,
                12
              ),
              1,
              CAST(LENGTH(SUBSTRING(tm_d."v", 16)) >= 1 AS INT) * 128
            )
            ELSE SUBSTRING(
              'user_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || tm_d."v"), 1, 12),
              1,
              CAST(LENGTH(tm_d."v") >= 1 AS INT) * 128
            )
          END
        END
      END AS "r"
    FROM (
      SELECT DISTINCT
        tm_x."userIdentity"."arn" AS "v"
      FROM (
        SELECT
          *
        FROM main.events AS tm_w
        ORDER BY
          eventTime
        LIMIT 5
      ) AS tm_x
    ) AS tm_d
  ) AS tm_l0
    ON tm_l0."v" = (
      tm_e."userIdentity"."arn"
    )
  LEFT JOIN (
    SELECT
      tm_d."v",
      CASE
        WHEN tm_d."v" IS NULL
        THEN CAST(NULL AS TEXT)
        WHEN tm_d."v" = ''
        THEN ''
        ELSE CASE
          WHEN STRPOS(tm_d."v", ',') > 0
          THEN ARRAY_TO_STRING(
            LIST_TRANSFORM(
              REGEXP_EXTRACT_ALL(tm_d."v", '[^,\s]+'),
              LAMBDA tm_ip : CASE
                WHEN REGEXP_MATCHES(
                  tm_ip,
                  '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
                )
                THEN REGEXP_EXTRACT(tm_ip, '^(\d+\.\d+\.\d+)\.', 1) || '.xxx'
                WHEN REGEXP_MATCHES(tm_ip, '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$')
                THEN REGEXP_EXTRACT(LOWER(tm_ip), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})', 1) || '::'
                WHEN REGEXP_MATCHES(
                  tm_ip,
                  '^(?:(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?|AWS Internal)$'
                )
                AND NOT (
                  REGEXP_MATCHES(
                    tm_ip,
                    '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
                  )
                )
                THEN tm_ip
                ELSE 'XXXXX'
              END
            ),
            ', '
          )
          ELSE CASE
            WHEN REGEXP_MATCHES(
              tm_d."v",
              '^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
            )
            THEN REGEXP_EXTRACT(tm_d."v", '^(\d+\.\d+\.\d+)\.', 1) || '.xxx'
            WHEN REGEXP_MATCHES(tm_d."v", '^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}$')
            THEN REGEXP_EXTRACT(LOWER(tm_d."v"), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})', 1) || '::'
            WHEN REGEXP_MATCHES(
              tm_d."v",
              '^(?:(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?|AWS Internal)$'
            )
            AND NOT (
              REGEXP_MATCHES(
                tm_d."v",
                '(?:^|[^0-9])[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}(?:[^0-9]|$)'
              )
            )
            THEN tm_d."v"
            ELSE 'XXXXX'
          END
        END
      END AS "r"
    FROM (
      SELECT DISTINCT
        tm_x."sourceIPAddress" AS "v"
      FROM (
        SELECT
          *
        FROM main.events AS tm_w
        ORDER BY
          eventTime
        LIMIT 5
      ) AS tm_x
    ) AS tm_d
  ) AS tm_l1
    ON tm_l1."v" = tm_e."sourceIPAddress"
) AS events
ORDER BY
  eventTime
LIMIT 5
