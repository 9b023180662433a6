/** Argument schemas several tools share. */
import { Type } from "@sinclair/typebox";

export const OrgSlug = Type.String({ minLength: 1, maxLength: 64, description: "Organization slug (see list_organizations)" });
export const ProjectId = Type.String({ minLength: 1, maxLength: 64, description: "Project id (see list_projects or search_catalog)" });
export const Limit = Type.Integer({ minimum: 1, maximum: 500, description: "Page size (default 50)" });
export const Cursor = Type.String({ minLength: 1, maxLength: 512, description: "next_cursor of the previous page" });
