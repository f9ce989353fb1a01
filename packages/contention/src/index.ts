export { CONTEND_HELP, type ContendCliIo, contendCommand, parseContendArgs, runContendCli } from './contend-cli.js';
export {
  ContendUsageError,
  isContendUsageError,
  isLabSetupError,
  LabSetupError,
} from './errors.js';
export {
  type ChildConfig,
  type LabEvent,
  type LabEventType,
  parseEventLine,
  processLabel,
  type RawEvent,
} from './events.js';
export { type LabOptions, type LabResult, type ResolvedLabOptions, resolveLabOptions, runLab } from './lab.js';
export { LAB_APPLICATION_ID } from './lab-database.js';
export {
  escapeHtml,
  renderHtml,
  renderSummaryTable,
  renderSvgTimeline,
  type SvgTimelineOptions,
  timelineLegend,
} from './render-html.js';
export { type RenderTextOptions, renderJson, renderText, renderTextTimeline } from './render-text.js';
export type { ChildOutcome, StrategyResult } from './result.js';
export { childScript } from './spawn.js';
export {
  buildTimeline,
  percentile,
  type SegmentKind,
  type Timeline,
  type TimelineMark,
  type TimelineSegment,
  type TimelineWait,
  WAIT_MARK_MS,
} from './stats.js';
export {
  expandChoice,
  MATRIX,
  STRATEGY_CHOICES,
  type StrategyChoice,
  type StrategyName,
  type StrategySettings,
  strategySettings,
} from './strategies.js';
