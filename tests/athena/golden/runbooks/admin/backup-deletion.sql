-- runbook backup-deletion: Backups, snapshots and recovery points deleted
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_per_principal
WITH deletions AS (
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
        JSON_EXTRACT_SCALAR(requestParameters, '$.recoveryPointArn'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.recoveryPointArn'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.backupVaultName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.backupVaultName'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.backupPlanId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.backupPlanId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.dBInstanceIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.dBInstanceIdentifier'))
      )
    ) AS resource,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    errorCode,
    eventID
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
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
    AND (
      (
        eventSource = 'ec2.amazonaws.com' AND eventName = 'DeleteSnapshot'
      )
      OR (
        eventSource = 'rds.amazonaws.com'
        AND eventName IN ('DeleteDBSnapshot', 'DeleteDBClusterSnapshot')
      )
      OR (
        eventSource = 'rds.amazonaws.com'
        AND eventName = 'ModifyDBInstance'
        AND (
          COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.backupRetentionPeriod'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.backupRetentionPeriod'))
          )
        ) = '0'
      )
      OR (
        eventSource = 'backup.amazonaws.com'
        AND eventName IN (
          'DeleteRecoveryPoint',
          'DeleteBackupVault',
          'DeleteBackupPlan',
          'DeleteBackupSelection',
          'DeleteBackupVaultLockConfiguration'
        )
      )
    )
)
SELECT
  eventTime,
  eventName,
  resource,
  principal_arn,
  deletions_by_principal,
  sourceIPAddress,
  errorCode,
  eventID
FROM (
  SELECT
    *,
    COUNT(*) OVER (PARTITION BY principal_arn) AS deletions_by_principal
  FROM deletions
)
WHERE
  deletions_by_principal >= ?
ORDER BY
  eventTime,
  eventID
