import { assertNever } from '../../shared/assert-never.js';
import type { ProxyPolicy } from '../proxy-policy.js';
import { jobSettings } from './job-settings.js';
import { renderApt } from './render-apt.js';
import { renderDocker } from './render-docker.js';
import { renderEnv } from './render-env.js';
import { renderGit } from './render-git.js';
import { renderGradle } from './render-gradle.js';
import { renderJvm } from './render-jvm.js';
import { renderMaven } from './render-maven.js';
import { renderNpm } from './render-npm.js';
import type { RenderOptions, RenderTarget, RenderedConfig } from './rendered-config.js';

/**
 * Renders what one tool in a job needs to use the proxy: environment variables and files, as
 * data (the caller writes them). Never includes credentials: jobs get the credential-free URL of
 * the runner's local forward proxy (`options.jobProxyUrl`) or the policy's proxies without their
 * credentials, with a warning.
 */
export function renderForJob(
  policy: ProxyPolicy,
  target: RenderTarget,
  options: RenderOptions = {},
): RenderedConfig {
  const settings = jobSettings(policy, options);
  switch (target) {
    case 'env':
      return renderEnv(settings, options);
    case 'jvm':
      return renderJvm(settings);
    case 'gradle':
      return renderGradle(settings);
    case 'maven':
      return renderMaven(settings);
    case 'docker':
      return renderDocker(settings, options);
    case 'git':
      return renderGit(settings);
    case 'npm':
      return renderNpm(settings);
    case 'apt':
      return renderApt(settings);
    default:
      return assertNever(target, 'render target');
  }
}
