/**
 * Platforms: what force_dma_unencrypted() answers, what set_memory_*() can
 * do, whether the DMA address encodings and pgprot_decrypted() differ, and
 * the Kconfig options that steer dma-direct (facts §5.1, §5.2, §5.5–§5.7).
 *
 * ABSTRACTION: a platform is one fixed Kconfig; distro variations (a TDX
 * config without DMA_COHERENT_POOL, powerpc with a restricted pool) are not
 * modelled.
 */

/**
 * The environment generation a kernel version runs in: `classic` is the
 * kernel before the CC_SHARED series (baseline, the v2 RFC, the jgg-flags
 * design); `cc-shared` is v7.3, where pools carry `cc_shared`, allocation
 * from a pool of the other kind fails, and some platforms changed rules.
 */
export type EnvGeneration = 'classic' | 'cc-shared';
export const ENV_GENERATIONS: readonly EnvGeneration[] = ['classic', 'cc-shared'];

/** Rules a platform has in another generation (replacing its own). */
export type PlatformRules = Partial<Pick<Platform, 'description' | 'forceDmaUnencrypted' | 'forceRule' | 'ccMemEncrypt' | 'bounceWhenForced'>>;

export interface Platform {
  readonly id: string;
  readonly description: string;
  /** force_dma_unencrypted(dev): for every device, for none, or from the DMA mask (SME host). */
  readonly forceDmaUnencrypted: 'all' | 'none' | 'mask-below-c-bit';
  /** The rule in words, with its kernel source. */
  readonly forceRule: string;
  /**
   * cc_platform_has(CC_ATTR_MEM_ENCRYPT). In the cc-shared generation the
   * atomic pools and restricted pools are set up shared (`cc_shared`, and
   * decrypted) exactly when it holds; before, they were decrypted always.
   */
  readonly ccMemEncrypt: boolean;
  /** rules that differ in the cc-shared generation (v7.3) */
  readonly ccSharedRules?: PlatformRules;
  /** set_memory_decrypted/encrypted really change the page (false: stubs returning 0). */
  readonly memEncryptActive: boolean;
  /** set_memory_* can fail (and leave the page in an unknown state). */
  readonly setMemoryCanFail: boolean;
  /** phys_to_dma_unencrypted(x) != phys_to_dma(x) (x86 SME/SEV C-bit, arm64 realm NS bit). */
  readonly encodingsDiffer: boolean;
  /** pgprot_decrypted(p) != p. */
  readonly pgprotDecryptedDiffers: boolean;
  /** Streaming DMA of a device with force_dma_unencrypted bounces through swiotlb (SWIOTLB_FORCE, or C-bit outside the mask). */
  readonly bounceWhenForced: boolean;
  readonly kconfig: {
    readonly DMA_DIRECT_REMAP: boolean;
    readonly DMA_COHERENT_POOL: boolean;
    /** a restricted-dma-pool can be described (needs OF reserved-memory) */
    readonly DMA_RESTRICTED_POOL: boolean;
    /** HIGHMEM together with a CMA area in highmem */
    readonly HIGHMEM: boolean;
    readonly ARCH_HAS_DMA_SET_UNCACHED: boolean;
  };
  /** Devices may be non-coherent on this platform. */
  readonly nonCoherentDevices: boolean;
}

const x86 = { DMA_DIRECT_REMAP: false, DMA_COHERENT_POOL: true, DMA_RESTRICTED_POOL: false, HIGHMEM: false, ARCH_HAS_DMA_SET_UNCACHED: false };
const arm64 = { DMA_DIRECT_REMAP: true, DMA_COHERENT_POOL: true, DMA_RESTRICTED_POOL: true, HIGHMEM: false, ARCH_HAS_DMA_SET_UNCACHED: false };

export const PLATFORMS: readonly Platform[] = [
  {
    id: 'plain-x86', ccMemEncrypt: false, description: 'x86_64 without memory encryption',
    forceDmaUnencrypted: 'none', forceRule: 'false: no CC attribute (arch/x86/mm/mem_encrypt.c)',
    memEncryptActive: false, setMemoryCanFail: false, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: false, kconfig: x86, nonCoherentDevices: false,
  },
  {
    id: 'plain-arm64', ccMemEncrypt: false, description: 'arm64 host or non-CC guest',
    forceDmaUnencrypted: 'none', forceRule: 'is_realm_world() is false',
    memEncryptActive: false, setMemoryCanFail: false, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: false, kconfig: arm64, nonCoherentDevices: true,
  },
  {
    id: 'arm32-highmem', ccMemEncrypt: false, description: '32-bit ARM with HIGHMEM and a CMA area in highmem, no memory encryption',
    forceDmaUnencrypted: 'none', forceRule: 'generic stub: false',
    memEncryptActive: false, setMemoryCanFail: false, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: false,
    kconfig: { DMA_DIRECT_REMAP: true, DMA_COHERENT_POOL: true, DMA_RESTRICTED_POOL: true, HIGHMEM: true, ARCH_HAS_DMA_SET_UNCACHED: false },
    nonCoherentDevices: true,
  },
  {
    id: 'plain-mips', ccMemEncrypt: false, description: 'MIPS-class platform with ARCH_HAS_DMA_SET_UNCACHED (uncached KSEG1 alias), no memory encryption',
    forceDmaUnencrypted: 'none', forceRule: 'generic stub: false',
    memEncryptActive: false, setMemoryCanFail: false, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: false,
    kconfig: { DMA_DIRECT_REMAP: false, DMA_COHERENT_POOL: false, DMA_RESTRICTED_POOL: false, HIGHMEM: false, ARCH_HAS_DMA_SET_UNCACHED: true },
    nonCoherentDevices: true,
  },
  {
    id: 'sev', ccMemEncrypt: true, description: 'AMD SEV/SEV-ES/SNP guest',
    forceDmaUnencrypted: 'all', forceRule: 'cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT): true for every device',
    memEncryptActive: true, setMemoryCanFail: true, encodingsDiffer: true, pgprotDecryptedDiffers: true,
    bounceWhenForced: true, kconfig: x86, nonCoherentDevices: false,
  },
  {
    id: 'tdx', ccMemEncrypt: true, description: 'Intel TDX guest (the host can force set_memory_* failures)',
    forceDmaUnencrypted: 'all', forceRule: 'cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT): true for every device',
    memEncryptActive: true, setMemoryCanFail: true, encodingsDiffer: false, pgprotDecryptedDiffers: true,
    bounceWhenForced: true, kconfig: x86, nonCoherentDevices: false,
  },
  {
    id: 'hyperv', ccMemEncrypt: true, description: 'Hyper-V isolated VM (vTOM)',
    forceDmaUnencrypted: 'all', forceRule: 'cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT): true for every device',
    memEncryptActive: true, setMemoryCanFail: true, encodingsDiffer: false, pgprotDecryptedDiffers: true,
    bounceWhenForced: true, kconfig: x86, nonCoherentDevices: false,
  },
  {
    id: 'sme-host', ccMemEncrypt: true, description: 'AMD SME host: force_dma_unencrypted per device, from its DMA mask',
    forceDmaUnencrypted: 'mask-below-c-bit',
    forceRule: 'cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT): true iff min_not_zero(coherent_dma_mask, bus_dma_limit) cannot reach the C-bit',
    memEncryptActive: true, setMemoryCanFail: true, encodingsDiffer: true, pgprotDecryptedDiffers: true,
    bounceWhenForced: true, kconfig: x86, nonCoherentDevices: false,
  },
  {
    id: 'cca', ccMemEncrypt: true, description: 'Arm CCA realm',
    forceDmaUnencrypted: 'all', forceRule: 'is_realm_world(): true for every device',
    memEncryptActive: true, setMemoryCanFail: true, encodingsDiffer: true, pgprotDecryptedDiffers: true,
    bounceWhenForced: true, kconfig: arm64, nonCoherentDevices: true,
  },
  {
    id: 'pkvm', ccMemEncrypt: false, description: 'arm64 pKVM protected guest (set_memory_* are MEM_SHARE/UNSHARE hypercalls)',
    forceDmaUnencrypted: 'none', forceRule: 'is_realm_world() is false: pKVM is not a CC platform for dma-direct at baseline',
    // arm64 "Add pKVM as a CC platform" (e62decaf, arm64 for-next/coco) reached mainline in the v7.3 merge window
    // ahead of the CC_SHARED series, which names it a hard dependency: force_dma_unencrypted() is
    // is_realm_world() || is_protected_kvm_guest(), and cc_platform_has(CC_ATTR_MEM_ENCRYPT) holds in a pKVM guest.
    ccSharedRules: {
      description: 'arm64 pKVM protected guest, a CC platform since v7.3 (set_memory_* are MEM_SHARE/UNSHARE hypercalls)',
      forceDmaUnencrypted: 'all',
      forceRule: 'is_realm_world() || is_protected_kvm_guest(): true for every device (v7.3, with "Add pKVM as a CC platform")',
      ccMemEncrypt: true,
      bounceWhenForced: true,
    },
    memEncryptActive: true, setMemoryCanFail: true, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: false, kconfig: arm64, nonCoherentDevices: true,
  },
  {
    id: 'ppc-svm', ccMemEncrypt: true, description: 'powerpc secure VM (ultravisor)',
    forceDmaUnencrypted: 'all', forceRule: 'is_secure_guest(): true for every device',
    memEncryptActive: true, setMemoryCanFail: false, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: true,
    // ABSTRACTION: pseries selects neither DMA_DIRECT_REMAP nor AMD_MEM_ENCRYPT, so no atomic pool.
    kconfig: { DMA_DIRECT_REMAP: false, DMA_COHERENT_POOL: false, DMA_RESTRICTED_POOL: false, HIGHMEM: false, ARCH_HAS_DMA_SET_UNCACHED: false },
    nonCoherentDevices: false,
  },
  {
    id: 's390-pv', ccMemEncrypt: true, description: 's390 protected virtualization guest',
    forceDmaUnencrypted: 'all', forceRule: 'is_prot_virt_guest(): true for every device',
    memEncryptActive: true, setMemoryCanFail: false, encodingsDiffer: false, pgprotDecryptedDiffers: false,
    bounceWhenForced: true,
    kconfig: { DMA_DIRECT_REMAP: false, DMA_COHERENT_POOL: false, DMA_RESTRICTED_POOL: false, HIGHMEM: false, ARCH_HAS_DMA_SET_UNCACHED: false },
    nonCoherentDevices: false,
  },
];

export const PLATFORM_IDS: readonly string[] = PLATFORMS.map((p) => p.id);

export function platformById(id: string): Platform | undefined {
  return PLATFORMS.find((p) => p.id === id);
}

/** The platform as a kernel version of generation `gen` sees it. */
export function platformAt(p: Platform, gen: EnvGeneration): Platform {
  return gen === 'cc-shared' && p.ccSharedRules ? { ...p, ...p.ccSharedRules } : p;
}
