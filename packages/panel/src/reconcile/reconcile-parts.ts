import type { GroupCommit } from "../wal/group-commit.ts";
import type { LiveRoutes } from "./live-routes.ts";
import type { ReconcilerOptions } from "./reconciler-options.ts";
import type { TargetRetirement } from "./retire-target.ts";
import type { RouteLinks } from "./route-links.ts";
import type { SpareKeeper } from "./spare-keeping.ts";

/**
 * What the reconciler's parts (reconciler.ts lists them) all work on, built once by `Reconciler`
 * and handed to each: its options, the live routes (LiveRoutes alone changes them), the route
 * ends' links, how old targets are retired, the warm spares kept between moves, and the group
 * commit that makes a hot swap's records durable off its critical path.
 */
export interface ReconcileParts {
  readonly options: ReconcilerOptions;
  readonly routes: LiveRoutes;
  readonly links: RouteLinks;
  readonly retirement: TargetRetirement;
  readonly spares: SpareKeeper;
  readonly groupCommit: GroupCommit;
}
