/** Binds the public methods of injectable activity classes into the flat object a Worker takes.
 *  Activity names share one namespace per worker, so a duplicate name is an error, not a silent override. */
export function activitiesOf(...instances: object[]): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const registry: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const instance of instances) {
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const member = proto[name];
      if (name === 'constructor' || typeof member !== 'function') continue;
      if (registry[name]) throw new Error(`activity ${name} is defined twice (${instance.constructor.name})`);
      registry[name] = (member as (...args: unknown[]) => Promise<unknown>).bind(instance);
    }
  }
  return registry;
}
