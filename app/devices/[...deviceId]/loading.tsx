import { PanelSkeleton } from "@/components/panel-skeleton.tsx";

/** Shown at once while the device's header is read; the panels then stream in one by one. */
export default function DeviceLoading() {
  return (
    <>
      <div className="device-header" aria-busy="true">
        <p className="breadcrumbs">Fleet / Devices /</p>
        <div className="skeleton-line" style={{ width: "40%", height: 22 }} />
        <div className="skeleton-line" style={{ width: "75%" }} />
      </div>
      <PanelSkeleton title="Connection timeline" lines={5} />
      <PanelSkeleton title="Events" lines={6} />
    </>
  );
}
