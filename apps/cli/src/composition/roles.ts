/**
 * The roles `stereo-spot worker` runs, in the one vocabulary of the pipeline (PIPELINE_ROLES: the
 * queue names, plus the web UI and the reassembly trigger), and the older spellings kept as
 * aliases because deployments and scripts may have them (`worker media`, `worker video`).
 */
import { PIPELINE_ROLES, type PipelineRole } from '@stereo-spot/pipeline';

export { PIPELINE_ROLES, type PipelineRole };

/** Older names accepted on the command line, and what each stands for. */
export const ROLE_ALIASES: Readonly<Record<string, readonly PipelineRole[]>> = {
  web: ['web-ui'],
  video: ['video-worker'],
  trigger: ['reassembly-trigger'],
  /** The media-worker app (one ECS service): both of its roles. */
  media: ['chunking', 'reassembly'],
};

const isRole = (name: string): name is PipelineRole => (PIPELINE_ROLES as readonly string[]).includes(name);

/** Role names and aliases → the roles, once each, in the pipeline's order. */
export function resolveRoles(names: readonly string[]): PipelineRole[] {
  const roles = new Set<PipelineRole>();
  for (const name of names) {
    const expanded = isRole(name) ? [name] : ROLE_ALIASES[name];
    if (expanded === undefined) {
      throw new Error(
        `unknown role ${JSON.stringify(name)}: choose from ${PIPELINE_ROLES.join(', ')} ` +
          `(older names: ${Object.keys(ROLE_ALIASES).join(', ')})`,
      );
    }
    for (const role of expanded) roles.add(role);
  }
  return PIPELINE_ROLES.filter((role) => roles.has(role));
}
