import { DeviceNotFound } from "@/components/device-not-found.tsx";

export default function DeviceNotFoundPage() {
  return <DeviceNotFound />;
}
