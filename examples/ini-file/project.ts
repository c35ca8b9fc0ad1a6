/**
 * The project's own modules, registered once: roles import defineRole from here instead of 'ploy',
 * and call them as t.iniFile(name, args, options) like any built-in module.
 */
import { withModules } from 'ploy';
import { iniFile } from './ini-file.ts';

export const { defineRole } = withModules({ iniFile });
