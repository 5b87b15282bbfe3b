"""A learner's photo: read safely, cropped, preprocessed as the dataset; CLI predict."""

import io
import json
import struct
import tomllib
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from signviz import data, photo
from signviz.__main__ import main


def encode(image: Image.Image, format_: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_, **options)
    return buffer.getvalue()


def hand_photo(task, index: int, *, size=300, degrees=4.0, format_="JPEG") -> bytes:
    """A test image of ``task`` as a learner might send it: enlarged, turned, re-encoded."""
    pixels = (task.images_test[index] * 255).astype(np.uint8)
    image = Image.fromarray(pixels).convert("RGB").resize((size, size), Image.Resampling.BICUBIC)
    turned = image.rotate(degrees, resample=Image.Resampling.BILINEAR, fillcolor=(128, 128, 128))
    return encode(turned, format_, **({"quality": 90} if format_ == "JPEG" else {}))


def test_read_photo_accepts_jpeg_and_png_and_turns_by_exif():
    image = Image.new("RGB", (40, 20), (200, 10, 10))
    assert photo.read_photo(encode(image, "JPEG")).size == (40, 20)
    assert photo.read_photo(encode(image, "PNG")).size == (40, 20)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    assert photo.read_photo(encode(image, "JPEG", exif=exif)).size == (20, 40)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"hello, this is text", "not an image"),
        (encode(Image.new("RGB", (8, 8)), "GIF"), "GIF image; only JPEG and PNG"),
        (encode(Image.new("RGB", (200, 200), (9, 99, 199)), "PNG")[:-40], "damaged or truncated"),
    ],
)
def test_bad_uploads_get_a_sentence(raw, message):
    with pytest.raises(photo.PhotoError, match=message):
        photo.read_photo(raw)


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a 1-bit grayscale PNG of that size: enough for Pillow to open it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


@pytest.mark.parametrize("side", [6000, 30000])  # 36 and 900 megapixels
def test_a_decompression_bomb_is_refused_before_decoding(side):
    with pytest.raises(photo.PhotoError, match="decompression bomb"):
        photo.read_photo(png_header(side, side))


def test_crop_box_is_a_square_inside_the_image():
    assert photo.crop_box((400, 300)) == (50, 0, 350, 300)
    assert photo.crop_box((400, 300), side=0.5, x=0, y=1) == (0, 150, 150, 300)
    assert photo.crop_box((400, 300), side=0.5, x=1, y=0) == (250, 0, 400, 150)
    with pytest.raises(ValueError, match="side must be in"):
        photo.crop_box((400, 300), side=0)


def test_prepare_is_the_dataset_preprocessing_of_the_crop():
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (120, 90, 3), dtype=np.uint8))
    box = photo.crop_box(image.size, side=0.8, x=0.2, y=0.7)
    np.testing.assert_array_equal(photo.prepare(image, box), data.preprocess_image(image.crop(box)))
    assert photo.prepare(image, box, (8, 8)).shape == (8, 8)


@pytest.fixture(scope="module")
def small_task():
    return data.make_task(data.fallback_dataset("test"), (3, 8), test_size=0.2, random_state=7)


def test_familiarity_threshold_means_few_training_images_lie_that_far(small_task):
    x_train = small_task.x_train
    nearest = photo.nearest_distances(x_train)
    brute = [
        min(np.linalg.norm(x_train[i] - x_train[j]) for j in range(len(x_train)) if j != i)
        for i in range(5)
    ]
    np.testing.assert_allclose(nearest[:5], brute, rtol=1e-6)
    familiar = photo.familiarity(small_task.x_test[0], x_train, nearest)
    # Only 5 % of training images are farther than the threshold from all the others.
    assert np.mean(nearest > familiar.threshold) <= 1 - photo.FAMILIAR_QUANTILE
    assert np.mean(nearest >= familiar.threshold) >= 0.04
    far_test = [photo.familiarity(x, x_train, nearest).is_far for x in small_task.x_test]
    assert np.mean(far_test) < 0.2  # test images are like the training images
    noise = np.random.default_rng(1).random(x_train.shape[1])
    assert photo.familiarity(noise, x_train, nearest).is_far
    assert photo.familiarity(np.zeros(x_train.shape[1]), x_train, nearest).is_far


# -- the command line on the real photos ----------------------------------------------


@pytest.fixture(scope="module")
def saved_logreg(real_dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    path = folder / "logreg.npz"
    assert main(["train", "logreg", "--data", real_dataset.location, "--save", str(path)]) == 0
    return path


@pytest.mark.real_data
def test_predict_a_turned_reencoded_test_photo(real_dataset, saved_logreg, tmp_path, capsys):
    task = data.make_task(real_dataset)
    paths = []
    for index in (0, 1, 2, 3):
        path = tmp_path / f"hand{index}.jpg"
        path.write_bytes(hand_photo(task, index))
        paths.append(str(path))
    capsys.readouterr()
    assert main(["predict", *paths, "--model", str(saved_logreg), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["photo"] for r in results] == paths
    for index, result in enumerate(results):
        assert set(result["probabilities"]) == {"0", "1"}
        assert sum(result["probabilities"].values()) == pytest.approx(1)
        assert result["digit"] == task.digits[task.y_test[index]]
    assert main(["predict", paths[0], "--model", str(saved_logreg)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{paths[0]}: {task.digits[task.y_test[0]]} (0: ")


@pytest.mark.real_data
def test_predict_bad_input_is_one_line(saved_logreg, tmp_path, capsys):
    text = tmp_path / "note.png"
    text.write_text("not a photo")
    assert main(["predict", str(text), "--model", str(saved_logreg)]) == 2
    assert "note.png: This file is not an image" in capsys.readouterr().err
    assert main(["predict", str(text), "--model", str(text)]) == 2
    assert "not an .npz model" in capsys.readouterr().err
    assert main(["predict", str(tmp_path / "none.jpg"), "--model", str(saved_logreg)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_train_save_checks_the_path_before_training(tmp_path, capsys):
    assert main(["train", "logreg", "--save", str(tmp_path / "model.keras")]) == 2
    assert "saved to a .npz file" in capsys.readouterr().err
    assert main(["train", "logreg", "--save", str(tmp_path / "no" / "model.npz")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not list(Path(tmp_path).iterdir())


@pytest.mark.slow
@pytest.mark.real_data
def test_train_keras_save_writes_a_keras_file(real_dataset, tmp_path, capsys):
    import keras

    path = tmp_path / "network.keras"
    arguments = ["train", "keras", "--data", real_dataset.location, "--epochs", "1"]
    assert main([*arguments, "--layers", "3", "--save", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "keras"
    assert keras.models.load_model(path).input_shape == (None, 4096)
    assert main([*arguments, "--save", str(tmp_path / "network.npz")]) == 2
    assert "a keras model is saved to a .keras file" in capsys.readouterr().err


def test_the_server_refuses_uploads_larger_than_the_photo_limit():
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == photo.MAX_FILE_BYTES
