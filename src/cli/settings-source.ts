import type { Settings } from '../config/settings.js';

/** Reads the settings when a command runs; `defaults` are the command's own defaults. */
export type SettingsSource = (defaults?: Record<string, unknown>) => Settings;
