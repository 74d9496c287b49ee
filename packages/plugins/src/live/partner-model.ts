import type { PluginAsset } from '@ensemble/core/plugin'
import type { RollShape } from '../common/roll-runtime.js'

/**
 * What a model partner is built from: its model's shape (from model.json) and the asset its manifest pins
 * (from weights.json). A Node host reads both from disk (published.ts); the studio's worker fetches them
 * (in-page.ts), so the partner modules themselves read no files.
 */
export interface PartnerModel {
  shape: RollShape
  asset: PluginAsset
}
