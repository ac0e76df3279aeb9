/**
 * The stack's outputs. Each Terraform output `foo_bar` becomes the line `FOO_BAR=value` in
 * packages/aws-infra/.env (`terraform-output`), with the names the runbooks and apps use.
 */
export const OUTPUT_NAMES = [
  'aws_region',
  'name_prefix',
  'input_bucket_name',
  'output_bucket_name',
  'jobs_table_name',
  'segment_completions_table_name',
  'reassembly_triggered_table_name',
  'chunking_queue_url',
  'video_worker_queue_url',
  'reassembly_queue_url',
  'chunking_dlq_url',
  'video_worker_dlq_url',
  'reassembly_dlq_url',
  'reassembly_trigger_failures_queue_url',
  'ecs_cluster_name',
  'web_ui_service_name',
  'media_worker_service_name',
  'video_worker_service_name',
  'reassembly_trigger_function_name',
  'web_ui_url',
  'web_ui_ecr_url',
  'media_worker_ecr_url',
  'video_worker_ecr_url',
  'stereocrafter_sagemaker_ecr_url',
  'codebuild_project_name',
  'codebuild_source_bucket',
  'codebuild_source_key',
  'web_ui_log_group',
  'media_worker_log_group',
  'video_worker_log_group',
  'reassembly_trigger_log_group',
  'codebuild_log_group',
  'inference_backend',
  'segment_duration_seconds',
] as const;

/** Present only with inference_backend=sagemaker (or http), or when the feature is configured. */
export const OPTIONAL_OUTPUT_NAMES = [
  'sagemaker_endpoint_name',
  'sagemaker_execution_role_arn',
  'sagemaker_log_group',
  'sagemaker_async_output_s3_uri',
  'sagemaker_async_failure_s3_uri',
  'sagemaker_instance_type',
  'sagemaker_instance_count',
  'inference_http_url',
  'hf_token_arn',
  'alarm_topic_arn',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number] | (typeof OPTIONAL_OUTPUT_NAMES)[number];

/** `input_bucket_name` → `INPUT_BUCKET_NAME` */
export const envNameOfOutput = (output: string): string => output.toUpperCase();
