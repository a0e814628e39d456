/**
 * The mark mend leaves on every object it changes: which heal command, which step of it, which
 * incident. Written in the same request as the change itself, so that a step run again after
 * mend died (the journal has its intent and no result) reads the object, finds its own mark,
 * and does not act twice; and `kubectl get deploy web -o yaml` shows who changed it and why.
 */
export const MARK = {
  heal: 'mend.dev/heal',
  step: 'mend.dev/heal-step',
  incident: 'mend.dev/incident',
  action: 'mend.dev/action',
} as const;

export interface HealMark {
  /** The heal command's id (`inc-3:heal:1`), or a run by hand's id. */
  heal: string;
  /** The step within the run: `steps:0`. */
  step: string;
  incident: string | undefined;
  /** What mend did, in words: `rollout restart`. */
  action: string;
}

/** The mark of one step, from its key (`${runId}:${section}:${index}:${attempt}`): attempts share it. */
export function markOf(key: string, incident: string | undefined, action: string): HealMark {
  const parts = key.split(':');
  if (parts.length < 4) throw new Error(`not a step key: ${JSON.stringify(key)}`);
  return {
    heal: parts.slice(0, -3).join(':'),
    step: parts.slice(-3, -1).join(':'),
    incident,
    action,
  };
}

/** The annotations that carry the mark, with when the change was made. */
export function markAnnotations(mark: HealMark, at: string): Record<string, string> {
  return {
    [MARK.heal]: mark.heal,
    [MARK.step]: mark.step,
    ...(mark.incident !== undefined ? { [MARK.incident]: mark.incident } : {}),
    [MARK.action]: `${mark.action} at ${at}`,
  };
}

/** Whether this step of this heal already changed the object. */
export function isMarked(object: { metadata?: unknown } | undefined, mark: HealMark): boolean {
  const annotations = (object?.metadata as { annotations?: Record<string, string> } | undefined)
    ?.annotations;
  return annotations?.[MARK.heal] === mark.heal && annotations?.[MARK.step] === mark.step;
}
