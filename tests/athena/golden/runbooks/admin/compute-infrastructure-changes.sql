-- runbook compute-infrastructure-changes: Compute infrastructure created, snapshotted, reverted, modified or deleted
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $kinds
WITH changes AS (
  SELECT
    eventTime,
    eventName,
    CASE
      WHEN eventName IN (
        'CreateSnapshot',
        'CreateSnapshots',
        'CreateDBSnapshot',
        'CreateDBClusterSnapshot'
      )
      THEN 'create-snapshot'
      WHEN eventName IN ('RunInstances', 'CreateDBInstance')
      THEN 'create-instance'
      WHEN eventName IN ('TerminateInstances', 'DeleteDBInstance')
      THEN 'delete-instance'
      WHEN eventName IN (
        'CreateReplaceRootVolumeTask',
        'RestoreDBInstanceFromDBSnapshot',
        'RestoreDBClusterFromSnapshot',
        'RestoreDBInstanceToPointInTime'
      )
      THEN 'revert-instance'
      ELSE 'modify-configuration'
    END AS kind,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.instanceId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.volumeId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.volumeId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.instanceSpecification.instanceId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instanceSpecification.instanceId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.dBInstanceIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.dBInstanceIdentifier'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.dBClusterIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.dBClusterIdentifier'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.targetDBInstanceIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.targetDBInstanceIdentifier'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.instancesSet.items[0].instanceId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instancesSet.items[0].instanceId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(responseElements, '$.instancesSet.items[0].instanceId'),
        JSON_FORMAT(JSON_EXTRACT(responseElements, '$.instancesSet.items[0].instanceId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.instancesSet.items[0].imageId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instancesSet.items[0].imageId'))
      )
    ) AS resource,
    CASE
      WHEN NOT (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.masterUserPassword'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.masterUserPassword'))
        )
      ) IS NULL
      THEN 'master password reset'
      WHEN (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.publiclyAccessible'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.publiclyAccessible'))
        )
      ) = 'true'
      THEN 'made publicly accessible'
      WHEN (
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.httpTokens'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.httpTokens'))
        )
      ) = 'optional'
      THEN 'IMDSv1 allowed'
      WHEN eventName IN ('AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation')
      THEN 'instance profile changed'
      WHEN eventName = 'ModifyInstanceAttribute'
      THEN COALESCE(
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.attribute'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.attribute'))
        ),
        'instance attribute'
      )
    END AS detail,
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
        eventSource = 'ec2.amazonaws.com'
        AND eventName IN (
          'CreateSnapshot',
          'CreateSnapshots',
          'RunInstances',
          'TerminateInstances',
          'CreateReplaceRootVolumeTask',
          'ModifyInstanceAttribute',
          'ModifyInstanceMetadataOptions',
          'AssociateIamInstanceProfile',
          'ReplaceIamInstanceProfileAssociation'
        )
      )
      OR (
        eventSource = 'rds.amazonaws.com'
        AND (
          eventName IN (
            'CreateDBSnapshot',
            'CreateDBClusterSnapshot',
            'CreateDBInstance',
            'DeleteDBInstance',
            'RestoreDBInstanceFromDBSnapshot',
            'RestoreDBClusterFromSnapshot',
            'RestoreDBInstanceToPointInTime'
          )
          OR (
            eventName IN ('ModifyDBInstance', 'ModifyDBCluster')
            AND (
              NOT (
                COALESCE(
                  JSON_EXTRACT_SCALAR(requestParameters, '$.masterUserPassword'),
                  JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.masterUserPassword'))
                )
              ) IS NULL
              OR (
                COALESCE(
                  JSON_EXTRACT_SCALAR(requestParameters, '$.publiclyAccessible'),
                  JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.publiclyAccessible'))
                )
              ) = 'true'
            )
          )
        )
      )
    )
)
SELECT
  eventTime,
  kind,
  eventName,
  resource,
  detail,
  principal_arn,
  sourceIPAddress,
  errorCode,
  eventID
FROM changes
WHERE
  CONTAINS(?, kind)
  AND (
    eventName <> 'ModifyInstanceMetadataOptions' OR NOT detail IS NULL
  )
ORDER BY
  eventTime,
  eventID
