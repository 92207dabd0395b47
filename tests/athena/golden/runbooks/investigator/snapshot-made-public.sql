-- runbook snapshot-made-public: Snapshots and images made public or shared
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
WITH changes AS (
  SELECT
    eventTime,
    eventSource,
    eventName,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.snapshotId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.snapshotId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.dBSnapshotIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.dBSnapshotIdentifier'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.dBClusterSnapshotIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.dBClusterSnapshotIdentifier'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.imageId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.imageId'))
      )
    ) AS resource_id,
    COALESCE(
      CASE
        WHEN requestParameters IS NULL
        THEN NULL
        ELSE COALESCE(
          TRANSFORM(
            TRY_CAST(JSON_EXTRACT(requestParameters, '$.createVolumePermission.add.items') AS ARRAY(JSON)),
            tm_j -> JSON_FORMAT(tm_j)
          ),
          ARRAY[]
        )
      END,
      CASE
        WHEN requestParameters IS NULL
        THEN NULL
        ELSE COALESCE(
          TRANSFORM(
            TRY_CAST(JSON_EXTRACT(requestParameters, '$.launchPermission.add.items') AS ARRAY(JSON)),
            tm_j -> JSON_FORMAT(tm_j)
          ),
          ARRAY[]
        )
      END,
      ARRAY[]
    ) AS ec2_added,
    COALESCE(
      CASE
        WHEN requestParameters IS NULL
        THEN NULL
        ELSE COALESCE(
          TRY_CAST(JSON_EXTRACT(requestParameters, '$.valuesToAdd') AS ARRAY(VARCHAR)),
          ARRAY[]
        )
      END,
      ARRAY[]
    ) AS rds_added,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.attributeName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.attributeName'))
    ) AS rds_attribute,
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
    AND errorCode IS NULL
    AND (
      (
        eventSource = 'ec2.amazonaws.com'
        AND eventName IN ('ModifySnapshotAttribute', 'ModifyImageAttribute')
      )
      OR (
        eventSource = 'rds.amazonaws.com'
        AND eventName IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
      )
    )
), shared AS (
  SELECT
    *,
    CONCAT(
      TRANSFORM(
        ec2_added,
        p -> CASE
          WHEN (
            COALESCE(JSON_EXTRACT_SCALAR(p, '$.group'), JSON_FORMAT(JSON_EXTRACT(p, '$.group')))
          ) = 'all'
          THEN 'all'
          ELSE COALESCE(JSON_EXTRACT_SCALAR(p, '$.userId'), JSON_FORMAT(JSON_EXTRACT(p, '$.userId')))
        END
      ),
      CASE WHEN rds_attribute = 'restore' THEN rds_added ELSE ARRAY[] END
    ) AS added
  FROM changes
)
SELECT
  eventTime,
  eventName,
  resource_id,
  CASE WHEN CONTAINS(added, 'all') THEN 'public' ELSE 'shared' END AS exposure,
  FILTER(added, a -> NOT a IS NULL AND a <> 'all') AS shared_with_accounts,
  principal_arn,
  sourceIPAddress,
  eventID
FROM shared
WHERE
  CARDINALITY(FILTER(added, a -> NOT a IS NULL)) > 0
ORDER BY
  eventTime,
  eventID
