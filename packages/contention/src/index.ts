export { CONTEND_HELP, type ContendCliIo, parseContendArgs, runContendCli } from './contend-cli.js';
export {
  ContendUsageError,
  isContendUsageError,
  isLabSetupError,
  LabSetupError,
} from './errors.js';
export { type ChildConfig, type LabEvent, type LabEventType, parseEventLine, type RawEvent } from './events.js';
export {
  type ChildOutcome,
  childScript,
  type LabOptions,
  type LabResult,
  processLabel,
  type ResolvedLabOptions,
  resolveLabOptions,
  runLab,
  type StrategyResult,
} from './lab.js';
export { escapeHtml, renderHtml, renderSvgTimeline } from './render-html.js';
export { type RenderTextOptions, renderJson, renderText, renderTextTimeline } from './render-text.js';
export {
  buildTimeline,
  percentile,
  type SegmentKind,
  type Timeline,
  type TimelineMark,
  type TimelineSegment,
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
