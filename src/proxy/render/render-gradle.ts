import type { JobSettings } from './job-settings.js';
import { jvmProperties } from './render-jvm.js';
import type { RenderedConfig } from './rendered-config.js';

/**
 * `$GRADLE_USER_HOME/gradle.properties` (which also covers the wrapper download):
 * `systemProp.`-prefixed JVM proxy properties. `http.nonProxyHosts` also applies to https
 * ("not a typo", say Gradle's docs). Never credentials.
 */
export function renderGradle(settings: JobSettings): RenderedConfig {
  const { properties, diagnostics } = jvmProperties(settings, 'gradle.properties');
  const files =
    properties.length === 0
      ? []
      : [
          {
            path: '$GRADLE_USER_HOME/gradle.properties',
            content: `${properties.map((p) => `systemProp.${p.name}=${p.value}`).join('\n')}\n`,
            merge: true,
          },
        ];
  return {
    target: 'gradle',
    env: {},
    files,
    diagnostics: [...settings.diagnostics, ...diagnostics],
  };
}
