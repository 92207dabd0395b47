-- runbook security-group-opened-to-world: Security groups opened to the whole internet
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  awsRegion,
  recipientAccountId,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.groupId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.groupId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.groupName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.groupName'))
    )
  ) AS security_group,
  TRANSFORM(
    COALESCE(
      CASE
        WHEN requestParameters IS NULL
        THEN NULL
        ELSE COALESCE(
          TRANSFORM(
            TRY_CAST(JSON_EXTRACT(requestParameters, '$.ipPermissions.items') AS ARRAY(JSON)),
            tm_j -> JSON_FORMAT(tm_j)
          ),
          ARRAY[]
        )
      END,
      ARRAY[]
    ),
    p -> CONCAT(
      CAST(COALESCE(
        COALESCE(
          JSON_EXTRACT_SCALAR(p, '$.ipProtocol'),
          JSON_FORMAT(JSON_EXTRACT(p, '$.ipProtocol'))
        ),
        '?'
      ) AS VARCHAR),
      CAST(' ' AS VARCHAR),
      CAST(COALESCE(
        COALESCE(JSON_EXTRACT_SCALAR(p, '$.fromPort'), JSON_FORMAT(JSON_EXTRACT(p, '$.fromPort'))),
        '*'
      ) AS VARCHAR),
      CAST('-' AS VARCHAR),
      CAST(COALESCE(
        COALESCE(JSON_EXTRACT_SCALAR(p, '$.toPort'), JSON_FORMAT(JSON_EXTRACT(p, '$.toPort'))),
        '*'
      ) AS VARCHAR)
    )
  ) AS permissions,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  eventID
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask_investigator AS tm_s
) AS events
WHERE
  (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime >= CAST(? AS TIMESTAMP)
  )
  AND (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime < CAST(? AS TIMESTAMP)
  )
  AND eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND errorCode IS NULL
  AND (
    CONTAINS(CAST(requestParameters AS VARCHAR), '"0.0.0.0/0"')
    OR CONTAINS(CAST(requestParameters AS VARCHAR), '"::/0"')
  )
ORDER BY
  eventTime,
  eventID
