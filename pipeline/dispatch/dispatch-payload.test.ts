import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_A, EVIDENCE_B, testContext, testEvent, testType } from '../cases/case-test-fixtures.ts';
import { openCase } from '../cases/case-transitions.ts';
import { buildDispatchPayload, priorityOf, splitModel } from './dispatch-payload.ts';
import { assertDispatchPayload, DISPATCH_SCHEMA_V1_URL, DispatchPayloadError, dispatchPayloadProblems } from './payload-validator.ts';

// The committed file, compiled independently of the module under test.
const schema = JSON.parse(readFileSync(new URL('../../schemas/dispatch-payload.v1.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

const T0 = 1_700_000_000_000;
const caseFor = (typeId: string) =>
  openCase('c_0lp0s2s00_0000000001', testEvent({ eventType: typeId }), testContext(typeId, EVIDENCE_A, EVIDENCE_B), T0).next;

describe('dispatch payload v1', () => {
  it('is a draft 2020-12 schema with an $id and version 1, every property described', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/v1$/);
    const props = schema.properties as Record<string, { description?: string; const?: unknown }>;
    expect(props.version?.const).toBe(1);
    for (const [name, p] of Object.entries(props)) expect(p.description, name).toBeTruthy();
    expect(DISPATCH_SCHEMA_V1_URL.pathname.endsWith('/schemas/dispatch-payload.v1.json')).toBe(true);
  });

  it('builds payloads that validate against the committed schema file', () => {
    for (const id of ['illegal_parking', 'crowd_gathering', 'fire_smoke']) {
      const p = buildDispatchPayload(caseFor(id), testType(id));
      expect(validate(p), JSON.stringify(validate.errors)).toBe(true);
      expect(dispatchPayloadProblems(p)).toEqual([]);
    }
    const p = buildDispatchPayload(caseFor('illegal_parking'), testType('illegal_parking'));
    expect(p).toMatchObject({
      version: 1,
      caseId: 'c_0lp0s2s00_0000000001',
      eventType: { id: 'illegal_parking', category: 'A01-03', nameZh: '违章停车', severity: 'medium' },
      camera: { id: 'cam-1', grid: 'g1', areaType: 'school' },
      zone: 'road',
      model: { id: 'picodet-s-416', version: '1.0.0' },
      evidence: { first: EVIDENCE_B, latest: EVIDENCE_A, best: EVIDENCE_A },
      deadline: T0 + 120 * 60_000,
      responsibleUnit: 'Traffic police, school detail',
      priority: 3,
    });
  });

  it('maps severity to BullMQ priority (lower first) and splits model ids', () => {
    expect([priorityOf('critical'), priorityOf('high'), priorityOf('medium'), priorityOf('low')]).toEqual([1, 2, 3, 4]);
    expect(splitModel('yolo@2.1')).toEqual({ id: 'yolo', version: '2.1' });
    expect(splitModel('a@b@3')).toEqual({ id: 'a@b', version: '3' });
    expect(splitModel('bare')).toEqual({ id: 'bare', version: 'unknown' });
    expect(splitModel('x@')).toEqual({ id: 'x', version: 'unknown' });
  });

  it('names what is wrong in a bad payload', () => {
    const good = buildDispatchPayload(caseFor('fire_smoke'), testType('fire_smoke'));
    const bad = { ...good, confidence: 1.5, extra: true, evidence: { ...good.evidence, latest: '../x.jpg' } };
    const problems = dispatchPayloadProblems(bad);
    expect(problems.join('\n')).toMatch(/\/confidence/);
    expect(problems.join('\n')).toMatch(/extra/);
    expect(problems.join('\n')).toMatch(/\/evidence\/latest/);
    expect(validate(bad)).toBe(false);
    expect(() => assertDispatchPayload(bad)).toThrow(DispatchPayloadError);
  });
});
