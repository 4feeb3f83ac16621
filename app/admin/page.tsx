import { redirect } from "next/navigation";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";

export default async function AdminPage() {
  await requirePageUser("admin");
  redirect("/admin/users");
}
