/** The console's views, addressed by the URL hash so a view can be bookmarked and shared. */
export type Route =
  | { readonly view: 'fleet' }
  | { readonly view: 'device'; readonly id: string }
  | { readonly view: 'markets' }
  | { readonly view: 'alarms' };

export type ViewName = Route['view'];

const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `#/device/d1` → `{ view: 'device', id: 'd1' }`; anything unknown is the fleet. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  switch (parts[0] ?? '') {
    case 'markets':
      return { view: 'markets' };
    case 'alarms':
      return { view: 'alarms' };
    case 'device': {
      const id = safeDecode(parts[1] ?? '');
      return id !== undefined && DEVICE_ID.test(id) ? { view: 'device', id } : { view: 'fleet' };
    }
    default:
      return { view: 'fleet' };
  }
}

/** The hash of a route: `#/fleet`, `#/device/d1`. */
export function routeHref(route: Route): string {
  return route.view === 'device' ? `#/device/${encodeURIComponent(route.id)}` : `#/${route.view}`;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
