import { Command } from 'commander';
import { PIPELINE_ROLES } from '../composition/roles';

/** `stereo-spot up` (= `npm start`): the whole pipeline in one process. */
export function upCommand(): Command {
  return new Command('up')
    .description(
      'Run everything on this machine: the web UI and JSON API (http://127.0.0.1:8080), the media-worker, ' +
        'the video-worker and the reassembly trigger, on the embedded platform (files + SQLite in STEREO_SPOT_HOME).',
    )
    .option('--port <port>', 'web-ui port (PORT)')
    .option('--host <address>', 'web-ui address (HOST); 127.0.0.1 keeps it private to this machine')
    .option('--home <dir>', 'where jobs, objects and the database live (STEREO_SPOT_HOME)')
    .action(async (options: { port?: string; host?: string; home?: string }) => {
      // Loaded here, not at the top: the pipeline's modules cost about 0.4 s of CPU to load, which
      // every other command (`convert` first) would pay for nothing.
      const { runRolesUntilSignal } = await import('../composition/run-until-signal');
      await runRolesUntilSignal(PIPELINE_ROLES, {
        ...process.env,
        ...(options.port !== undefined ? { PORT: options.port } : {}),
        ...(options.host !== undefined ? { HOST: options.host } : {}),
        ...(options.home !== undefined ? { STEREO_SPOT_HOME: options.home } : {}),
      });
    });
}
