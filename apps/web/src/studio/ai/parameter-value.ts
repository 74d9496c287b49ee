/** The value a plugin parameter's slider shows beside its label, with the units its manifest declares. */
export function shownValue(
  spec: { min: number; max: number; step?: number; units?: string },
  n: number,
): string {
  // A value in 0..1 declared in '%' is a fraction (docs/PLUGINS.md): a gate of 0.8 reads "80 %", not "0.80 %".
  if (spec.units === '%' && spec.min >= 0 && spec.max <= 1) return `${Math.round(n * 100)} %`
  const whole = (spec.step === undefined || Number.isInteger(spec.step)) && Number.isInteger(n)
  return `${n.toFixed(whole ? 0 : 2)}${spec.units ? ` ${spec.units}` : ''}`
}
