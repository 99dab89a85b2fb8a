import type { ConfigStore } from './config-store';
import type { ConfigSettings } from './options';

/** What the routes share, built once by build(). */
export interface ConfigContext {
  settings: ConfigSettings;
  store: ConfigStore;
  now: () => number;
}
