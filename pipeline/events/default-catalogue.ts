/**
 * The shipped event catalogue and its default rules (data, not code). A config's `events`
 * section adds event types and rules or overrides these by id; new event types need no code.
 *
 * Category codes follow the "major-minor" layout of the national digital city management
 * standard's event classes (GB/T 30428.2: 01 city appearance, 04 emergencies, 05 street order);
 * a district maps them onto its own code table by overriding `category` in config.
 * Default rules name COCO-80 labels where COCO has the class; fire, smoke, garbage and
 * overflowing bins need a detector trained on them (`gridworker train`; models/zoo ships one for
 * garbage and one for fire / smoke) and stay idle on a COCO model (see rule-model-check.ts).
 */
import type { EventTypeDef, RuleDef } from './event-model.ts';

/** The shipped event types. */
export const DEFAULT_EVENT_TYPES: readonly EventTypeDef[] = [
  {
    id: 'illegal_parking',
    nameZh: '违章停车',
    nameEn: 'Illegal parking',
    category: '05-05',
    severity: 'medium',
    deadlineMinutes: 60,
    responsibleUnit: {
      default: '交警大队 (traffic police brigade)',
      residential: '街道办事处 (sub-district office)',
      urban_village: '街道办事处 (sub-district office)',
    },
  },
  {
    id: 'disorderly_bikes',
    nameZh: '非机动车乱停放',
    nameEn: 'Disorderly parked bicycles / e-bikes',
    category: '05-06',
    severity: 'low',
    deadlineMinutes: 240,
    responsibleUnit: {
      default: '城管执法中队 (urban management squad)',
      transport_hub: '枢纽管理处 (transport hub management office)',
    },
  },
  {
    id: 'street_vending',
    nameZh: '占道经营',
    nameEn: 'Street vending / occupying the road',
    category: '05-04',
    severity: 'medium',
    deadlineMinutes: 120,
    responsibleUnit: {
      default: '城管执法中队 (urban management squad)',
      market: '市场监督管理所 (market regulation office)',
    },
  },
  {
    id: 'crowd_gathering',
    nameZh: '人群聚集',
    nameEn: 'Crowd gathering',
    category: '04-09',
    severity: 'high',
    deadlineMinutes: 30,
    responsibleUnit: {
      default: '辖区派出所 (local police station)',
      transport_hub: '枢纽公安派出所 (transport hub police station)',
      school: '辖区派出所 (local police station, with school security)',
    },
  },
  {
    id: 'fire_smoke',
    nameZh: '火情烟雾',
    nameEn: 'Fire / smoke',
    category: '04-06',
    severity: 'critical',
    deadlineMinutes: 10,
    responsibleUnit: { default: '消防救援站 (fire and rescue station)' },
  },
  {
    id: 'exposed_garbage',
    nameZh: '暴露垃圾',
    nameEn: 'Exposed garbage',
    category: '01-02',
    severity: 'low',
    deadlineMinutes: 480,
    responsibleUnit: {
      default: '环卫所 (sanitation station, urban management bureau)',
      residential: '物业服务中心 (property management office)',
    },
  },
  {
    // Same major class as exposed garbage (01, city appearance); the minor code 03 is this
    // catalogue's choice, not read from the standard's table: districts override `category`.
    id: 'overflowing_bin',
    nameZh: '垃圾满溢',
    nameEn: 'Overflowing garbage bin',
    category: '01-03',
    severity: 'low',
    deadlineMinutes: 240,
    responsibleUnit: {
      default: '环卫所 (sanitation station, urban management bureau)',
      residential: '物业服务中心 (property management office)',
    },
  },
];

/** The shipped rules, one per shipped event type, same ids. */
export const DEFAULT_RULES: readonly RuleDef[] = [
  {
    id: 'illegal_parking',
    eventType: 'illegal_parking',
    classes: ['car', 'truck', 'bus', 'motorcycle'],
    zoneKinds: ['no_parking'],
    minScore: 0.4,
    minArea: 0.002,
    minCount: 1,
    persistence: { kind: 'visits', minDurationS: 300, minIou: 0.5, maxGapS: 1800 },
  },
  {
    id: 'disorderly_bikes',
    eventType: 'disorderly_bikes',
    classes: ['bicycle', 'motorcycle'],
    zoneKinds: ['bike_parking_forbidden', 'sidewalk'],
    minScore: 0.35,
    minArea: 0.001,
    minCount: 3,
    persistence: { kind: 'visits', minDurationS: 600, minIou: 0.4, maxGapS: 1800 },
  },
  {
    id: 'street_vending',
    eventType: 'street_vending',
    classes: ['umbrella', 'dining table', 'chair'],
    withClasses: ['person'],
    zoneKinds: ['sidewalk', 'road', 'no_vending'],
    minScore: 0.35,
    minArea: 0.002,
    minCount: 1,
    persistence: { kind: 'visits', minDurationS: 300, minIou: 0.4, maxGapS: 1800 },
  },
  {
    id: 'crowd_gathering',
    eventType: 'crowd_gathering',
    classes: ['person'],
    zoneKinds: ['crowd_watch'],
    minScore: 0.4,
    minArea: 0.0005,
    minCount: 8,
    persistence: { kind: 'frames', k: 2, n: 3 },
  },
  {
    id: 'fire_smoke',
    eventType: 'fire_smoke',
    classes: ['fire', 'smoke', 'flame'],
    zoneKinds: [],
    anchor: 'center',
    minScore: 0.4,
    minArea: 0.0005,
    minCount: 1,
    persistence: { kind: 'frames', k: 2, n: 3 },
  },
  {
    id: 'exposed_garbage',
    eventType: 'exposed_garbage',
    classes: ['garbage', 'trash', 'litter', 'rubbish', 'garbage bag'],
    zoneKinds: [],
    minScore: 0.4,
    minArea: 0.001,
    minCount: 1,
    persistence: { kind: 'visits', minDurationS: 600, minIou: 0.3, maxGapS: 3600 },
  },
  {
    // "overflow" is the label of the bundled garbage model (models/zoo, trained by `gridworker
    // train` on the garbage-overflow photos): a bin with garbage spilling over or piled beside it.
    id: 'overflowing_bin',
    eventType: 'overflowing_bin',
    classes: ['overflow', 'overflowing bin', 'full bin'],
    zoneKinds: [],
    minScore: 0.4,
    minArea: 0.001,
    minCount: 1,
    persistence: { kind: 'visits', minDurationS: 600, minIou: 0.3, maxGapS: 3600 },
  },
];
