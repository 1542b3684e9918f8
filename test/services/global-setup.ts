import { allServiceRequirements, ensureDebianPackages } from './ensure-debian-packages.js';

/**
 * vitest globalSetup: installs every Debian package the test services need, once, in the main
 * process before any worker starts, so parallel workers never race for dpkg's lock.
 * Cheap when everything is installed. Throws (never skips) when something is missing and we are
 * not root.
 */
export async function setup(): Promise<void> {
  await ensureDebianPackages(allServiceRequirements);
}

export default setup;
