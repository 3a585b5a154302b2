import { z } from 'zod';

const SNAKE = /^[a-z][a-z0-9_]{0,63}$/;
const SNAKE_MESSAGE = 'lower-case snake_case: a letter, then letters, digits and _, at most 64';

/** Id of an event type, e.g. "illegal_parking". */
export const EventTypeIdSchema = z.string().regex(SNAKE, SNAKE_MESSAGE);

/** Id of a rule, e.g. "illegal_parking" (a rule may share its event type's id). */
export const RuleIdSchema = z.string().regex(SNAKE, SNAKE_MESSAGE);

/** A zone kind a rule watches; the same form as a zone's `kind`. */
export const ZoneKindSchema = z.string().regex(SNAKE, SNAKE_MESSAGE);
